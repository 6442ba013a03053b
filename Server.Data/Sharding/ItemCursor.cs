using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Realm.Data.Sharding;

/// <summary>
/// Where a page of items ended: the next page holds the items ordered after it, newest first by
/// <c>(created_at, item_id)</c>. A keyset cursor — pages stay correct while items are added, and the cost
/// of a page does not grow with its depth.
/// </summary>
/// <param name="CreatedAt">The last item's creation time.</param>
/// <param name="ItemId">The last item's id.</param>
public readonly record struct ItemCursor(long CreatedAt, long ItemId)
{
    /// <summary>Text form for clients: <c>createdAt.itemId</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{CreatedAt}.{ItemId}");

    /// <summary>Parses <see cref="ToString"/>'s form; false for anything else.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ItemCursor? cursor)
    {
        cursor = null;
        int dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long at)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long id))
        {
            return false;
        }

        cursor = new ItemCursor(at, id);
        return true;
    }
}
