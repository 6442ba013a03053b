using Microsoft.Extensions.Logging.Abstractions;
using Realm.Server.Hosting;
using Realm.Server.Tests.Simulation;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Hosting;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ServerMetricsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-metrics-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task RealmServerMeter_WithAPlayerOnline_PublishesPlayersTicksAndTraffic(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        using var client = new GameTestClient(host.LocalEndPoint, "5:Eve");
        client.PumpUntil(() => client.Welcome is not null && host.Game.Online == 1, "online");
        GameTestClient.PumpAllFor([client], 200);

        Dictionary<string, double> seen = MeterCapture.Collect(m => m.Name == ServerMetrics.MeterName);

        Assert.That(seen["realm.server.players|"], Is.EqualTo(1));
        Assert.That(seen["realm.server.ticks|"], Is.GreaterThan(0));
        Assert.That(seen["realm.server.tick.duration|quantile=max"], Is.GreaterThanOrEqualTo(seen["realm.server.tick.duration|quantile=p50"]));
        Assert.That(seen["realm.server.messages|direction=out"], Is.GreaterThan(0), "the welcome and snapshots were sent");
        Assert.That(seen.ContainsKey("realm.server.snapshot.bytes|kind=serialized"), Is.True);
    }
}
