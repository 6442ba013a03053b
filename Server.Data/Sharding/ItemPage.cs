namespace Realm.Data.Sharding;

/// <summary>One page of items, newest first, and the cursor of the next page (null on the last page).</summary>
/// <param name="Items">At most the page size.</param>
/// <param name="Next">Pass to the next call; null when no item follows.</param>
public sealed record ItemPage(IReadOnlyList<ItemRecord> Items, ItemCursor? Next);
