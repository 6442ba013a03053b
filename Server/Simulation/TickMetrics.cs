using Realm.Data.Monitoring;

namespace Realm.Server.Simulation;

/// <summary>
/// Per-tick figures of the logic thread, in fixed-size histograms: duration and start lateness since start
/// (or the last <see cref="Reset"/>), overruns, skipped ticks, and the last tick's inbound queue length,
/// messages and bytes. Recording never allocates.
/// </summary>
/// <remarks>Written by the logic thread only. Other threads (metrics exporters) read the counters with
/// <see cref="Volatile"/>; a histogram read from another thread is approximate while it is being written.</remarks>
internal sealed class TickMetrics
{
    private long _ticks;
    private long _overruns;
    private long _skipped;

    /// <summary>Time each tick took to run.</summary>
    public LatencyHistogram Duration { get; } = new();

    /// <summary>How late each tick started after its deadline.</summary>
    public LatencyHistogram Lateness { get; } = new();

    /// <summary>Durations since the last interval read (<see cref="RestartInterval"/>), for time series.</summary>
    public LatencyHistogram IntervalDuration { get; } = new();

    /// <summary>Lateness since the last interval read.</summary>
    public LatencyHistogram IntervalLateness { get; } = new();

    public long Ticks => Volatile.Read(ref _ticks);

    /// <summary>Ticks that took longer than one period.</summary>
    public long Overruns => Volatile.Read(ref _overruns);

    /// <summary>Ticks dropped from the schedule after stalls beyond the catch-up bound.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Work items found in the inbound queue (datagrams and inbox items) at the last tick's start.</summary>
    public int InboundQueueLength { get; set; }

    /// <summary>Messages received during the last tick.</summary>
    public long MessagesIn { get; set; }

    /// <summary>Messages sent during the last tick.</summary>
    public long MessagesOut { get; set; }

    /// <summary>Bytes sent during the last tick.</summary>
    public long BytesOut { get; set; }

    public void Record(long durationNanoseconds, long latenessNanoseconds, bool overrun, long skippedTotal)
    {
        Duration.Record(durationNanoseconds);
        Lateness.Record(latenessNanoseconds);
        IntervalDuration.Record(durationNanoseconds);
        IntervalLateness.Record(latenessNanoseconds);
        Volatile.Write(ref _ticks, _ticks + 1);
        if (overrun)
        {
            Volatile.Write(ref _overruns, _overruns + 1);
        }

        Volatile.Write(ref _skipped, skippedTotal);
    }

    /// <summary>Starts the interval histograms afresh (after they were read).</summary>
    public void RestartInterval()
    {
        IntervalDuration.Reset();
        IntervalLateness.Reset();
    }

    /// <summary>Starts the histograms and counters afresh (e.g. at the start of a load test's measured stage).</summary>
    public void Reset()
    {
        Duration.Reset();
        Lateness.Reset();
        Volatile.Write(ref _ticks, 0);
        Volatile.Write(ref _overruns, 0);
    }
}
