using Realm.Data.Monitoring;

namespace Realm.LoadTester.Game;

/// <summary>What the bots of one worker measured; merged at the end. One writer (the worker's thread).</summary>
internal sealed class SwarmStats
{
    public LatencyHistogram Rtt { get; } = new();

    /// <summary>Echo RTTs since the controller last took the second (<see cref="SwarmWorker.TakeSecond"/>).</summary>
    public LatencyHistogram SecondRtt { get; } = new();

    public LatencyHistogram SnapshotInterval { get; } = new();

    public LatencyHistogram ConnectTime { get; } = new();

    /// <summary>Each playing bot's smoothed transport RTT (the transport's own ping) at the end of the run.</summary>
    public LatencyHistogram TransportRtt { get; } = new();

    public long MessagesSent { get; set; }

    public long MessagesReceived { get; set; }

    public long EchoesSent { get; set; }

    public long EchoesReceived { get; set; }

    public int Connected { get; set; }

    public int FailedConnects { get; set; }

    public int Disconnects { get; set; }

    public long Corrections { get; set; }

    public long ChatSent { get; set; }

    public long ChatReceived { get; set; }

    public long ZoneChanges { get; set; }

    public long Reconnects { get; set; }

    /// <summary>Error notices from the server (rate limit, unknown zone, …).</summary>
    public long Errors { get; set; }

    public Dictionary<string, int> DisconnectReasons { get; } = [];

    public void Add(SwarmStats other)
    {
        Rtt.Add(other.Rtt);
        SnapshotInterval.Add(other.SnapshotInterval);
        ConnectTime.Add(other.ConnectTime);
        TransportRtt.Add(other.TransportRtt);
        MessagesSent += other.MessagesSent;
        MessagesReceived += other.MessagesReceived;
        EchoesSent += other.EchoesSent;
        EchoesReceived += other.EchoesReceived;
        Connected += other.Connected;
        FailedConnects += other.FailedConnects;
        Disconnects += other.Disconnects;
        Corrections += other.Corrections;
        ChatSent += other.ChatSent;
        ChatReceived += other.ChatReceived;
        ZoneChanges += other.ZoneChanges;
        Reconnects += other.Reconnects;
        Errors += other.Errors;
        foreach ((string reason, int count) in other.DisconnectReasons)
        {
            DisconnectReasons[reason] = DisconnectReasons.GetValueOrDefault(reason) + count;
        }
    }

    /// <summary>Starts the measured stage: histograms and message counters afresh (connection counts stay).</summary>
    public void ResetMeasured()
    {
        Rtt.Reset();
        SnapshotInterval.Reset();
        MessagesSent = 0;
        MessagesReceived = 0;
        EchoesSent = 0;
        EchoesReceived = 0;
        Corrections = 0;
        ChatSent = 0;
        ChatReceived = 0;
        ZoneChanges = 0;
        Reconnects = 0;
        Errors = 0;
    }
}
