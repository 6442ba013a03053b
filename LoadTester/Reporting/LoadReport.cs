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
        json.WriteStartObject("rtt_ms");
        json.WriteNumber("p50", Math.Round(Rtt.PercentileMilliseconds(50), 4));
        json.WriteNumber("p95", Math.Round(Rtt.PercentileMilliseconds(95), 4));
        json.WriteNumber("p99", Math.Round(Rtt.PercentileMilliseconds(99), 4));
        json.WriteNumber("max", Math.Round(Rtt.MaxMilliseconds, 4));
        json.WriteEndObject();
        if (Delivery is { Count: > 0 })
        {
            json.WriteStartObject("delivery_ms");
            json.WriteNumber("p50", Math.Round(Delivery.PercentileMilliseconds(50), 4));
            json.WriteNumber("p99", Math.Round(Delivery.PercentileMilliseconds(99), 4));
            json.WriteNumber("max", Math.Round(Delivery.MaxMilliseconds, 4));
            json.WriteEndObject();
        }

        json.WriteNumber("loss_pct", Math.Round(LossPercent, 4));
        json.WriteNumber("alloc_bytes_per_message", Math.Round(AllocBytesPerMessage, 3));
        json.WriteNumber("gen0_collections", Gen0Collections);
        json.WriteEndObject();
    }

    public void WriteSummary(TextWriter output)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"scenario            {Scenario}"));
        output.WriteLine(string.Create(c, $"clients             {Clients} ({Connected} connected, {FailedConnects} failed)"));
        output.WriteLine(string.Create(c, $"measured            {Seconds:F1} s"));
        output.WriteLine(string.Create(c, $"messages            {MessagesSent} sent, {MessagesReceived} received ({MessagesPerSecond:F0}/s)"));
        output.WriteLine(string.Create(c, $"round trips         {RoundtripsPerSecond:F0}/s"));
        output.WriteLine(string.Create(c, $"rtt ms              p50 {Rtt.PercentileMilliseconds(50):F3}  p95 {Rtt.PercentileMilliseconds(95):F3}  p99 {Rtt.PercentileMilliseconds(99):F3}  max {Rtt.MaxMilliseconds:F3}"));
        if (Delivery is { Count: > 0 })
        {
            output.WriteLine(string.Create(c, $"delivery ms         p50 {Delivery.PercentileMilliseconds(50):F3}  p99 {Delivery.PercentileMilliseconds(99):F3}  max {Delivery.MaxMilliseconds:F3}  (client -> server, one way, {Delivery.Count} messages)"));
        }

        output.WriteLine(string.Create(c, $"loss                {LossPercent:F3} %"));
        output.WriteLine(string.Create(c, $"client alloc        {AllocBytesPerMessage:F2} B/message, {Gen0Collections} gen0 GCs"));
    }
}
