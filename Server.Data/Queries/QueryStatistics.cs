using Realm.Data.Monitoring;

namespace Realm.Data.Queries;

/// <summary>Counters and latency of one named query, across every connection; thread-safe, allocation-free to record.</summary>
public sealed class QueryStatistics
{
    private long _count;
    private long _errors;

    /// <summary>Executions (successful or not).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Executions that threw.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Time from sending the statement to its result (for a reader: until the first result is ready).</summary>
    public ConcurrentLatencyHistogram Latency { get; } = new();

    internal void Record(long startTimestamp, bool failed)
    {
        Latency.RecordSince(startTimestamp);
        Interlocked.Increment(ref _count);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
