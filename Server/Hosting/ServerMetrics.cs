using System.Diagnostics.Metrics;
using Realm.Server.Net.Transport;
using Realm.Server.Simulation;

namespace Realm.Server.Hosting;

/// <summary>
/// Publishes the game host through <see cref="System.Diagnostics.Metrics"/> under the meter <c>Realm.Server</c>,
/// for <c>dotnet-counters</c>, OpenTelemetry or a <see cref="MeterListener"/>. Every instrument is observable:
/// it reads the logic thread's own counters when a listener collects, so the tick pays nothing.
/// </summary>
/// <remarks>
/// Instruments: <c>realm.server.players</c>; <c>realm.server.ticks</c>, <c>realm.server.tick.overruns</c>,
/// <c>realm.server.tick.skipped</c>; <c>realm.server.tick.duration</c> and <c>realm.server.tick.lateness</c>
/// in ms [quantile=p50|p99|max]; <c>realm.server.inbound_queue</c>; <c>realm.server.messages</c>
/// [direction=in|out]; <c>realm.server.bytes</c> [direction=in|out];
/// <c>realm.server.snapshot.bytes</c> [kind=serialized|sent]; <c>realm.server.moves.corrected</c>;
/// <c>realm.server.messages.malformed</c>; <c>realm.server.datagrams.dropped</c>. The tick histograms are
/// read while the logic thread writes them, so a collected quantile can be off by the ticks of that moment.
/// </remarks>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Realm.Server";

    private readonly Meter _meter;

    public ServerMetrics(GameServer game, NetHost net, IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        TickMetrics tick = game.Metrics;
        NetHostStatistics stats = net.Statistics;
        _meter.CreateObservableGauge("realm.server.players", () => game.Online, "{player}", "Players online or logging in");
        _meter.CreateObservableCounter("realm.server.ticks", () => tick.Ticks, "{tick}", "Ticks run (since start or the last status reset)");
        _meter.CreateObservableCounter("realm.server.tick.overruns", () => tick.Overruns, "{tick}", "Ticks longer than one period");
        _meter.CreateObservableCounter("realm.server.tick.skipped", () => tick.Skipped, "{tick}", "Ticks dropped after stalls beyond the catch-up bound");
        _meter.CreateObservableGauge("realm.server.tick.duration", () => Quantiles(tick.Duration), "ms", "Time a tick took");
        _meter.CreateObservableGauge("realm.server.tick.lateness", () => Quantiles(tick.Lateness), "ms", "How late a tick started after its deadline");
        _meter.CreateObservableGauge("realm.server.inbound_queue", () => tick.InboundQueueLength, "{item}", "Datagrams and inbox items waiting at the last tick's start");
        _meter.CreateObservableCounter("realm.server.messages", () => Directions(stats.MessagesReceived, stats.MessagesSent), "{message}", "Messages received and sent");
        _meter.CreateObservableCounter("realm.server.bytes", () => Directions(stats.BytesReceived, stats.BytesSent), "By", "UDP payload bytes received and sent");
        _meter.CreateObservableCounter("realm.server.snapshot.bytes", () => new[]
        {
            new Measurement<long>(game.SnapshotBytesSerialized, new KeyValuePair<string, object?>("kind", "serialized")),
            new Measurement<long>(game.SnapshotBytesSent, new KeyValuePair<string, object?>("kind", "sent")),
        }, "By", "Cell snapshot bytes serialized (once per cell and tick) and sent (to every observer)");
        _meter.CreateObservableCounter("realm.server.moves.corrected", () => game.Corrections, "{move}", "Moves corrected for speed or bounds");
        _meter.CreateObservableCounter("realm.server.messages.malformed", () => game.MalformedMessages, "{message}", "Game messages dropped as malformed or unknown");
        _meter.CreateObservableCounter("realm.server.datagrams.dropped", () => stats.DroppedTotal, "{datagram}", "Datagrams the transport dropped (malformed, flood, full queue)");
    }

    public void Dispose() => _meter.Dispose();

    private static Measurement<double>[] Quantiles(Data.Monitoring.LatencyHistogram histogram) =>
    [
        new(histogram.PercentileMilliseconds(50), new KeyValuePair<string, object?>("quantile", "p50")),
        new(histogram.PercentileMilliseconds(99), new KeyValuePair<string, object?>("quantile", "p99")),
        new(histogram.MaxMilliseconds, new KeyValuePair<string, object?>("quantile", "max")),
    ];

    private static Measurement<long>[] Directions(long received, long sent) =>
    [
        new(received, new KeyValuePair<string, object?>("direction", "in")),
        new(sent, new KeyValuePair<string, object?>("direction", "out")),
    ];
}
