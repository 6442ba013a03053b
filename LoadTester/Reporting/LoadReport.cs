using System.Globalization;
using System.Text.Json;
using Realm.Data.Monitoring;

namespace Realm.LoadTester.Reporting;

/// <summary>The load-test report (schema in docs/TARGETS.md, "Load-test report").</summary>
internal sealed class LoadReport
{
    public required string Scenario { get; init; }

    public int Clients { get; init; }

    public double Seconds { get; init; }

    public int Connected { get; init; }

    public int FailedConnects { get; init; }

    public int Disconnects { get; init; }

    public long MessagesSent { get; init; }

    public long MessagesReceived { get; init; }

    public double MessagesPerSecond { get; init; }

    public double RoundtripsPerSecond { get; init; }

    public required LatencyHistogram Rtt { get; init; }

    public double LossPercent { get; init; }

    /// <summary>One-way delivery time client → server, measured by an in-process Realm echo server (null otherwise).</summary>
    public LatencyHistogram? Delivery { get; set; }

    public double AllocBytesPerMessage { get; init; }

    public int Gen0Collections { get; init; }

    /// <summary>Echo: process CPU time (user + system, every thread: clients and the in-process server) per round trip in the measured stage, µs; 0 when not measured.</summary>
    /// <remarks>Time stolen by the hypervisor or spent idle is not in it, so it moves less than round trips per second on a shared machine.</remarks>
    public double CpuMicrosecondsPerRoundtrip { get; init; }

    /// <summary>Game scenarios: time between snapshot ticks at each bot.</summary>
    public LatencyHistogram? SnapshotInterval { get; init; }

    /// <summary>Game scenarios: connect request to Welcome.</summary>
    public LatencyHistogram? ConnectTime { get; init; }

    /// <summary>Game scenarios: the transport's own smoothed RTT of every bot at the end (the app-level echo also waits for a tick).</summary>
    public LatencyHistogram? TransportRtt { get; init; }

    /// <summary>Game scenarios: moves the server corrected.</summary>
    public long Corrections { get; init; }

    public long ChatSent { get; init; }

    public long ChatReceived { get; init; }

    public long ZoneChanges { get; init; }

    /// <summary>Bots that logged out and back in during the run (mixed scenario); not counted in Connected.</summary>
    public long Reconnects { get; init; }

    /// <summary>Error notices the server sent the bots.</summary>
    public long Errors { get; init; }

    /// <summary>Kernel UDP receive-buffer drops during the measured stage (−1: not known on this system).</summary>
    public long KernelReceiveBufferErrors { get; init; } = -1;

    public IReadOnlyDictionary<string, int>? DisconnectReasons { get; init; }

    /// <summary>Game scenarios: the server's tick rate (Hz), from its Welcome.</summary>
    public int ServerTickRate { get; init; }

    /// <summary>Game scenarios: one point a second over the whole run (ramp, warm-up, measured).</summary>
    public IReadOnlyList<SeriesPoint>? Series { get; init; }

    /// <summary>Game scenarios: the server's own figures over the measured stage.</summary>
    public Game.ServerFigures? Server { get; init; }

    /// <summary>One report as a JSON object; several (a compare run) as an array.</summary>
    public static void WriteJson(Stream stream, IReadOnlyList<LoadReport> reports)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        if (reports.Count == 1)
        {
            reports[0].Write(json);
            return;
        }

        json.WriteStartArray();
        foreach (LoadReport report in reports)
        {
            report.Write(json);
        }

        json.WriteEndArray();
    }

    public void WriteJson(Stream stream) => WriteJson(stream, [this]);

    private void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("scenario", Scenario);
        json.WriteNumber("clients", Clients);
        json.WriteNumber("seconds", Seconds);
        json.WriteNumber("connected", Connected);
        json.WriteNumber("failed_connects", FailedConnects);
        json.WriteNumber("disconnects", Disconnects);
        json.WriteNumber("messages_sent", MessagesSent);
        json.WriteNumber("messages_received", MessagesReceived);
        json.WriteNumber("messages_per_sec", Math.Round(MessagesPerSecond, 1));
        json.WriteNumber("roundtrips_per_sec", Math.Round(RoundtripsPerSecond, 1));
        if (CpuMicrosecondsPerRoundtrip > 0)
        {
            json.WriteNumber("cpu_us_per_roundtrip", Math.Round(CpuMicrosecondsPerRoundtrip, 3));
        }

        WriteHistogram(json, "rtt_ms", Rtt, withP95: true, always: true);
        WriteHistogram(json, "delivery_ms", Delivery);

        json.WriteNumber("loss_pct", Math.Round(LossPercent, 4));
        json.WriteNumber("alloc_bytes_per_message", Math.Round(AllocBytesPerMessage, 3));
        json.WriteNumber("gen0_collections", Gen0Collections);
        WriteHistogram(json, "snapshot_interval_ms", SnapshotInterval);
        WriteHistogram(json, "connect_ms", ConnectTime);
        WriteHistogram(json, "transport_rtt_ms", TransportRtt);
        if (Server is not null || SnapshotInterval is not null)
        {
            json.WriteNumber("corrections", Corrections);
            json.WriteNumber("chat_sent", ChatSent);
            json.WriteNumber("chat_received", ChatReceived);
            json.WriteNumber("zone_changes", ZoneChanges);
            json.WriteNumber("reconnects", Reconnects);
            json.WriteNumber("errors", Errors);
            json.WriteNumber("kernel_rcvbuf_errors", KernelReceiveBufferErrors);
        }

        if (DisconnectReasons is { Count: > 0 })
        {
            json.WriteStartObject("disconnect_reasons");
            foreach ((string reason, int count) in DisconnectReasons)
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
        }

        if (Server is { } server)
        {
            json.WriteStartObject("server");
            json.WriteStartObject("tick_ms");
            json.WriteNumber("p50", Math.Round(server.TickP50Ms, 3));
            json.WriteNumber("p99", Math.Round(server.TickP99Ms, 3));
            json.WriteNumber("max", Math.Round(server.TickMaxMs, 3));
            json.WriteEndObject();
            json.WriteStartObject("lateness_ms");
            json.WriteNumber("p99", Math.Round(server.LatenessP99Ms, 3));
            json.WriteNumber("max", Math.Round(server.LatenessMaxMs, 3));
            json.WriteEndObject();
            json.WriteNumber("ccu", server.Ccu);
            json.WriteNumber("ticks", server.Ticks);
            json.WriteNumber("overruns", server.Overruns);
            json.WriteNumber("alloc_bytes_per_message", Math.Round(server.AllocBytesPerMessage, 3));
            json.WriteNumber("gen0_collections", server.Gen0Collections);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>An object of percentiles in ms (p50, optionally p95, p99, max); skipped when empty unless <paramref name="always"/>.</summary>
    private static void WriteHistogram(Utf8JsonWriter json, string name, LatencyHistogram? histogram, bool withP95 = false, bool always = false)
    {
        if (histogram is null || (histogram.Count == 0 && !always))
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteNumber("p50", Math.Round(histogram.PercentileMilliseconds(50), 4));
        if (withP95)
        {
            json.WriteNumber("p95", Math.Round(histogram.PercentileMilliseconds(95), 4));
        }

        json.WriteNumber("p99", Math.Round(histogram.PercentileMilliseconds(99), 4));
        json.WriteNumber("max", Math.Round(histogram.MaxMilliseconds, 4));
        json.WriteEndObject();
    }

    /// <summary><c>p50 x  p99 y  max z</c> in ms, for the summary.</summary>
    private static string Percentiles(LatencyHistogram h, string format) =>
        string.Create(CultureInfo.InvariantCulture, $"p50 {h.PercentileMilliseconds(50).ToString(format, CultureInfo.InvariantCulture)}  p99 {h.PercentileMilliseconds(99).ToString(format, CultureInfo.InvariantCulture)}  max {h.MaxMilliseconds.ToString(format, CultureInfo.InvariantCulture)}");

    public void WriteSummary(TextWriter output)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"scenario            {Scenario}"));
        output.WriteLine(string.Create(c, $"clients             {Clients} ({Connected} connected, {FailedConnects} failed)"));
        output.WriteLine(string.Create(c, $"measured            {Seconds:F1} s"));
        output.WriteLine(string.Create(c, $"messages            {MessagesSent} sent, {MessagesReceived} received ({MessagesPerSecond:F0}/s)"));
        output.WriteLine(string.Create(c, $"round trips         {RoundtripsPerSecond:F0}/s"));
        if (CpuMicrosecondsPerRoundtrip > 0)
        {
            output.WriteLine(string.Create(c, $"cpu per round trip  {CpuMicrosecondsPerRoundtrip:F2} µs (process, clients and server)"));
        }

        output.WriteLine(string.Create(c, $"rtt ms              p50 {Rtt.PercentileMilliseconds(50):F3}  p95 {Rtt.PercentileMilliseconds(95):F3}  p99 {Rtt.PercentileMilliseconds(99):F3}  max {Rtt.MaxMilliseconds:F3}"));
        if (Delivery is { Count: > 0 })
        {
            output.WriteLine(string.Create(c, $"delivery ms         {Percentiles(Delivery, "F3")}  (client -> server, one way, {Delivery.Count} messages)"));
        }

        output.WriteLine(string.Create(c, $"loss                {LossPercent:F3} %"));
        output.WriteLine(string.Create(c, $"client alloc        {AllocBytesPerMessage:F2} B/message, {Gen0Collections} gen0 GCs"));
        if (SnapshotInterval is { Count: > 0 })
        {
            output.WriteLine($"snapshot interval   {Percentiles(SnapshotInterval, "F2")} ms");
        }

        if (TransportRtt is { Count: > 0 })
        {
            output.WriteLine($"transport rtt ms    {Percentiles(TransportRtt, "F3")}  (the echo rtt above also waits for the server's tick)");
        }

        if (ConnectTime is { Count: > 0 })
        {
            output.WriteLine($"connect             {Percentiles(ConnectTime, "F2")} ms");
        }

        if (ChatSent + ZoneChanges + Reconnects > 0)
        {
            output.WriteLine(string.Create(c, $"behaviour           {ChatSent} chat lines sent, {ChatReceived} received, {ZoneChanges} zone changes, {Reconnects} reconnects, {Errors} error notices"));
        }

        if (KernelReceiveBufferErrors >= 0)
        {
            output.WriteLine(string.Create(c, $"kernel UDP drops    {KernelReceiveBufferErrors} (RcvbufErrors in the measured stage)"));
        }

        if (DisconnectReasons is { Count: > 0 })
        {
            output.WriteLine($"disconnects         {string.Join(", ", DisconnectReasons.Select(r => $"{r.Value} \"{r.Key}\""))}");
        }

        if (Server is { } s)
        {
            output.WriteLine(string.Create(c, $"server ccu          {s.Ccu}, {s.Ticks} ticks, {s.Overruns} overruns"));
            output.WriteLine(string.Create(c, $"server tick ms      p50 {s.TickP50Ms:F3}  p99 {s.TickP99Ms:F3}  max {s.TickMaxMs:F3}"));
            output.WriteLine(string.Create(c, $"server lateness ms  p99 {s.LatenessP99Ms:F3}  max {s.LatenessMaxMs:F3}"));
            output.WriteLine(string.Create(c, $"server alloc        {s.AllocBytesPerMessage:F2} B/message, {s.Gen0Collections} gen0 GCs"));
        }
    }
}
