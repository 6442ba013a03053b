using System.Text.RegularExpressions;

namespace Realm.Data.Partitions;

/// <summary>Settings of a <see cref="TimePartitionedLog"/>; validated when it is created.</summary>
public sealed partial class TimePartitionOptions
{
    /// <summary>The log table's name (lowercase letters, digits, '_'; at most 40), e.g. <c>currency_log</c>.</summary>
    public string Table { get; set; } = "currency_log";

    /// <summary>Time per partition (default daily).</summary>
    public PartitionPeriod Period { get; set; } = PartitionPeriod.Daily;

    /// <summary>Periods after the current one that always exist, so inserts never find no partition (default 3).</summary>
    public int CreateAhead { get; set; } = 3;

    /// <summary>Periods kept, the current one included; older ones are dropped (default 30).</summary>
    public int Retention { get; set; } = 30;

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Table is null || !TablePattern().IsMatch(Table))
        {
            errors.Add($"Table: \"{Table}\" is not allowed: a lowercase letter, then lowercase letters, digits or '_', at most 40 in all");
        }

        if (!Enum.IsDefined(Period))
        {
            errors.Add($"Period: {Period} is not allowed: Daily or Monthly");
        }

        if (CreateAhead is < 1 or > 366)
        {
            errors.Add($"CreateAhead: {CreateAhead} is not allowed: 1 to 366 periods");
        }

        if (Retention is < 1 or > 3660)
        {
            errors.Add($"Retention: {Retention} is not allowed: 1 to 3660 periods");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    private static partial Regex TablePattern();
}
