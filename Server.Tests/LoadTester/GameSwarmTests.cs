using System.Text.Json;
using Realm.LoadTester.Game;
using Realm.LoadTester.Reporting;

namespace Realm.Server.Tests.LoadTester;

/// <summary>Short bot swarms against a server in a child process (the load tester's --self-host).</summary>
[TestFixture]
[Category("Integration")]
[CancelAfter(120_000)]
public sealed class GameSwarmTests
{
    [Test]
    public void ShortSwarm_EveryBotPlays_AndTheReportCarriesTheServersFigures()
    {
        SwarmOptions options = Options("--bots", "40", "--ramp", "200", "--seconds", "2", "--warmup", "0.5", "--self-host");
        using var server = new SelfHostedServer(maxPlayers: 64, connectsPerSecond: 1000);
        Assert.That(server.WaitReady(TimeSpan.FromSeconds(60)), Is.True, "the server did not come up");

        LoadReport report = new GameSwarm(options).Run(server.EndPoint, TextWriter.Null);

        Assert.That((report.Connected, report.FailedConnects, report.Disconnects), Is.EqualTo((40, 0, 0)));
        Assert.That(report.MessagesSent, Is.GreaterThan(40 * 30), "every bot sends its inputs");
        Assert.That(report.MessagesReceived, Is.GreaterThan(report.MessagesSent), "snapshots flow back");
        Assert.That(report.SnapshotInterval!.PercentileMilliseconds(50), Is.InRange(20, 100), "snapshots about once a 30 Hz tick");
        Assert.That(report.Rtt.Count, Is.GreaterThan(0), "echoes came back");
        Assert.That(report.Server, Is.Not.Null, "the server's figures were fetched");
        Assert.That(report.Server!.Ccu, Is.EqualTo(40));
        Assert.That(report.Server.Ticks, Is.InRange(40, 120), "about 60 ticks in the 2 s stage");
        Assert.That(report.Server.TickMaxMs, Is.GreaterThanOrEqualTo(report.Server.TickP99Ms).And.GreaterThan(0));

        using var stream = new MemoryStream();
        report.WriteJson(stream);
        using JsonDocument json = JsonDocument.Parse(stream.ToArray());
        JsonElement root = json.RootElement;
        foreach (string field in new[] { "scenario", "clients", "seconds", "connected", "failed_connects", "disconnects", "messages_sent", "messages_received", "messages_per_sec", "rtt_ms", "loss_pct", "alloc_bytes_per_message", "gen0_collections", "snapshot_interval_ms", "kernel_rcvbuf_errors", "server" })
        {
            Assert.That(root.TryGetProperty(field, out _), Is.True, $"report field {field}");
        }

        JsonElement figures = root.GetProperty("server");
        Assert.That(figures.GetProperty("tick_ms").GetProperty("p99").GetDouble(), Is.GreaterThan(0));
        Assert.That(figures.GetProperty("lateness_ms").TryGetProperty("max", out _), Is.True);
        Assert.That(figures.GetProperty("ccu").GetInt32(), Is.EqualTo(40));
        Assert.That(figures.TryGetProperty("alloc_bytes_per_message", out _) && figures.TryGetProperty("gen0_collections", out _), Is.True);
        Assert.That(server.Stop(), Is.Zero, "the server did not shut down cleanly");
    }

    [Test]
    public void MixedScenario_ChatsHopsZonesAndReconnects_WithoutFailures()
    {
        SwarmOptions options = Options("--bots", "60", "--ramp", "300", "--seconds", "10", "--warmup", "0.5", "--scenario", "mixed", "--seed", "7", "--self-host");
        using var server = new SelfHostedServer(maxPlayers: 96, connectsPerSecond: 1000);
        Assert.That(server.WaitReady(TimeSpan.FromSeconds(60)), Is.True, "the server did not come up");

        LoadReport report = new GameSwarm(options).Run(server.EndPoint, TextWriter.Null);

        Assert.That((report.Connected, report.FailedConnects, report.Disconnects), Is.EqualTo((60, 0, 0)), string.Join(", ", report.DisconnectReasons ?? new Dictionary<string, int>()));
        Assert.That(report.ChatSent, Is.GreaterThan(0));
        Assert.That(report.ChatReceived, Is.GreaterThanOrEqualTo(report.ChatSent), "zone chat reaches the sender and the others in its zone");
        Assert.That(report.ZoneChanges, Is.GreaterThan(0));
        Assert.That(report.Reconnects, Is.EqualTo(3), "the reconnecting bots (every 20th) log in again 3-8 s after joining");
        Assert.That(report.Errors, Is.Zero, "the bots stayed within the chat rate and the zones that exist");
        Assert.That(report.Scenario, Is.EqualTo("game-mixed"));
    }

    [Test]
    public void ServerDisappears_BotsReportTimeouts_AndTheRunEndsWithoutServerFigures()
    {
        SwarmOptions options = Options("--bots", "10", "--ramp", "100", "--seconds", "8", "--warmup", "0.5", "--self-host");
        using var server = new SelfHostedServer(maxPlayers: 32, connectsPerSecond: 1000);
        Assert.That(server.WaitReady(TimeSpan.FromSeconds(60)), Is.True, "the server did not come up");
        using var killer = new Timer(_ => server.Kill(), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        LoadReport report = new GameSwarm(options).Run(server.EndPoint, TextWriter.Null);

        Assert.That(report.Connected, Is.EqualTo(10));
        Assert.That(report.Disconnects, Is.EqualTo(10), "every bot noticed the server was gone");
        Assert.That(report.DisconnectReasons!.Keys, Is.EquivalentTo(new[] { "Timeout" }));
        Assert.That(report.Server, Is.Null, "figures from a server that is gone");
        Assert.That(FailCondition.TryParse("tick_p99_ms>16.7", out FailCondition? gate, out _), Is.True);
        Assert.That(gate!.HoldsFor(report, out _), Is.True, "a gate must fail when the server's figures are missing");
    }

    [TestCase("tick_p99_ms>16.7", "tick_p99_ms", ">", 16.7)]
    [TestCase("kernel_drops >= 1", "kernel_drops", ">=", 1)]
    [TestCase("connected<2000", "connected", "<", 2000)]
    public void FailIf_Parses(string text, string name, string op, double threshold)
    {
        Assert.That(FailCondition.TryParse(text, out FailCondition? condition, out string? error), Is.True, error);
        Assert.That(condition, Is.EqualTo(new FailCondition(name, op, threshold)));
    }

    [TestCase("tick>1", "unknown figure")]
    [TestCase("tick_p99_ms>fast", "not a number")]
    [TestCase("tick_p99_ms", "expected NAME>VALUE")]
    public void FailIf_Bad_ReportsWhatIsWrong(string text, string message)
    {
        Assert.That(FailCondition.TryParse(text, out _, out string? error), Is.False);
        Assert.That(error, Does.Contain(message));
    }

    [TestCase("--bots", "0")]
    [TestCase("--threads", "99")]
    [TestCase("--server", "10.0.0.1:7777")]
    [TestCase("--scenario", "teleport")]
    [TestCase("--fail-if", "tick>1")]
    public void Options_BadValue_IsRefusedNamingTheOption(string name, string value)
    {
        Assert.That(SwarmOptions.TryParse([name, value], out _, out string? error), Is.False);
        Assert.That(error, Does.Contain(name));
    }

    private static SwarmOptions Options(params string[] args)
    {
        Assert.That(SwarmOptions.TryParse(args, out SwarmOptions options, out string? error), Is.True, error);
        return options;
    }
}
