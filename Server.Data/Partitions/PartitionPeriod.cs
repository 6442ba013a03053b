namespace Realm.Data.Partitions;

/// <summary>How much time one partition of a log table holds (UTC calendar periods).</summary>
public enum PartitionPeriod
{
    /// <summary>One UTC day per partition: <c>pYYYYMMDD</c>.</summary>
    Daily,

    /// <summary>One UTC month per partition: <c>pYYYYMM</c>.</summary>
    Monthly,
}
