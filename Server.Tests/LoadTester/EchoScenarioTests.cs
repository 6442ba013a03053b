using System.Net;
using System.Text.Json;
using Realm.LoadTester.Echo;
using Realm.LoadTester.Reporting;
using Realm.Server.Net.Transport;

namespace Realm.Server.Tests.LoadTester;

/// <summary>The echo load test's modes run end to end (briefly) and report what TARGETS.md asks for.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class EchoScenarioTests
{
    [TestCase("raw")]
    [TestCase("unreliable")]
    [TestCase("reliable")]
    public void ShortRun_EveryClientConnects_EchoesFlow_ReportHasTheRequiredFields(string mode)
    {
        Assert.That(EchoOptions.TryParse(["--mode", mode, "--clients", "20", "--seconds", "0.5", "--warmup", "0.2"], out EchoOptions options, out string? error), Is.True, error);
        LoadReport report;
        if (mode == "raw")
        {
            using var server = new RawEchoServer(IPAddress.Loopback);
            report = new EchoScenario(options, mode).Run(server.EndPoint);
        }
        else
        {
            using var server = new RealmEchoServer(IPAddress.Loopback, options);
            report = new EchoScenario(options, mode, server).Run(server.EndPoint);
            Assert.That(report.Delivery!.Count, Is.GreaterThan(0), "the Realm echo server measured one-way delivery");
            Assert.That(server.Host.Statistics.Disconnects(DisconnectReason.Timeout), Is.Zero, "no false timeout at 0 % loss");
        }

        Assert.That(report.Disconnects, Is.Zero, "no client was disconnected during the run");

        Assert.That(report.Connected, Is.EqualTo(20));
        Assert.That(report.MessagesReceived, Is.GreaterThan(100));
        Assert.That(report.RoundtripsPerSecond, Is.EqualTo(report.MessagesReceived / 0.5).Within(0.001));
        Assert.That(report.Rtt.PercentileMilliseconds(50), Is.GreaterThan(0).And.LessThan(report.Rtt.PercentileMilliseconds(99) + 0.001));
        Assert.That(report.LossPercent, Is.InRange(0, 5));

        using var stream = new MemoryStream();
        report.WriteJson(stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        JsonElement root = json.RootElement;
        Assert.That(root.GetProperty("scenario").GetString(), Is.EqualTo("echo-" + mode));
        foreach (string field in new[] { "roundtrips_per_sec", "loss_pct", "alloc_bytes_per_message", "gen0_collections" })
        {
            Assert.That(root.TryGetProperty(field, out _), Is.True, field);
        }

        Assert.That(root.GetProperty("rtt_ms").GetProperty("p99").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("roundtrips_per_sec").GetDouble(), Is.GreaterThan(0));
    }

    [TestCase("raw", "inline")]
    [TestCase("unreliable", "inline")]
    [TestCase("reliable", "thread")]
    public void InFlightEight_EveryRequestOfARoundIsEchoed_AndRealmClientsMergeThemIntoOneDatagram(string mode, string serverIo)
    {
        Assert.That(EchoOptions.TryParse(["--mode", mode, "--clients", "10", "--seconds", "0.5", "--warmup", "0.2", "--in-flight", "8", "--server-io", serverIo], out EchoOptions options, out string? error), Is.True, error);
        Assert.That(options.InFlight, Is.EqualTo(8));
        Assert.That(options.ServerReceiveThread, Is.EqualTo(serverIo == "thread"));
        LoadReport report;
        if (mode == "raw")
        {
            using var server = new RawEchoServer(IPAddress.Loopback);
            report = new EchoScenario(options, mode).Run(server.EndPoint);
            Assert.That(server.Echoed, Is.GreaterThanOrEqualTo(report.MessagesReceived), "raw: one datagram per request");
        }
        else
        {
            using var server = new RealmEchoServer(IPAddress.Loopback, options);
            report = new EchoScenario(options, mode, server).Run(server.EndPoint);
            long datagramsIn = server.Host.Statistics.DatagramsReceived;
            long messagesIn = server.Host.Statistics.MessagesReceived;
            Assert.That(messagesIn, Is.GreaterThanOrEqualTo(report.MessagesSent));
            Assert.That(datagramsIn, Is.LessThan(messagesIn / 4), "the eight requests of a round travel together");
        }

        Assert.That(report.MessagesSent % 8, Is.Zero, "whole rounds of eight");
        Assert.That(report.MessagesReceived, Is.EqualTo(report.MessagesSent), "no echo lost on loopback");
        Assert.That(report.MessagesReceived, Is.GreaterThan(800));
    }

    [TestCase("--clients", "0")]
    [TestCase("--in-flight", "0")]
    [TestCase("--in-flight", "65")]
    [TestCase("--server-io", "epoll")]
    [TestCase("--mode", "tcp")]
    [TestCase("--server", "10.0.0.1:9000")]
    [TestCase("--repeat", "3")]
    public void BadOption_IsRefusedWithAMessageNamingIt(string name, string value)
    {
        Assert.That(EchoOptions.TryParse([name, value], out _, out string? error), Is.False);
        Assert.That(error, Does.Contain(name));
    }

    [Test]
    public void RawMode_WithTheConditioner_IsRefused()
    {
        Assert.That(EchoOptions.TryParse(["--mode", "raw", "--loss", "5"], out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("--loss"));
    }
}
