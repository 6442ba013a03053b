namespace Realm.Data.Routing;

/// <summary>Settings of a <see cref="ReplicaSet"/>; validated when it is created.</summary>
public sealed class ReplicaSetOptions
{
    /// <summary>
    /// A replica more than this many transactions behind its primary is taken out of the read rotation
    /// until it catches up (default 1,000).
    /// </summary>
    public long MaxLagTransactions { get; set; } = 1_000;

    /// <summary>How often the replicas' positions are compared with the primary's (default 1 s).</summary>
    public TimeSpan LagCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a read that must see earlier writes waits for a replica to apply them
    /// (<c>MASTER_GTID_WAIT</c>) before it goes to the primary instead (default 500 ms).
    /// </summary>
    public TimeSpan ReadYourWritesWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxLagTransactions < 0)
        {
            errors.Add($"MaxLagTransactions: {MaxLagTransactions} is not allowed: 0 or more");
        }

        if (LagCheckInterval < TimeSpan.FromMilliseconds(10) || LagCheckInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"LagCheckInterval: {LagCheckInterval} is not allowed: 10 ms to 1 h");
        }

        if (ReadYourWritesWait < TimeSpan.Zero || ReadYourWritesWait > TimeSpan.FromMinutes(1))
        {
            errors.Add($"ReadYourWritesWait: {ReadYourWritesWait} is not allowed: 0 to 1 min");
        }

        return errors;
    }
}
