using System.Collections.Concurrent;
using System.Data.Common;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;

namespace Realm.Server.Tests.Data.Pooling;

/// <summary>
/// Borrowers with random hold times, timeouts, cancellations and broken connections hammer a small pool
/// for a bounded time while its maintenance and a health monitor run: no connection is ever held by two
/// borrowers, nothing is lost (idle + leased == total afterwards, nothing leased, nobody waiting), and the
/// counters add up.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.MySql)]
[Category("Soak")]
[CancelAfter(60_000)]
public sealed class ConnectionPoolSoakTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(3);
    private readonly DatabaseProvider _provider;

    public ConnectionPoolSoakTests(DatabaseProvider provider) => _provider = provider;

    [Test]
    public async Task RandomBorrowers_ForSeconds_NoSharedConnection_NoLostSlot_CountersAddUp()
    {
        DatabaseEndpoint endpoint = PoolEndpoints.For(_provider, "soak");

        var options = new ConnectionPoolOptions
        {
            MinSize = 1,
            MaxSize = 4,
            AcquireTimeout = TimeSpan.FromMilliseconds(40),
            ValidationIdleThreshold = TimeSpan.FromMilliseconds(5),
            MaintenanceInterval = TimeSpan.FromMilliseconds(20),
            LeakDetectionThreshold = null,
        };
        await using var pool = new ConnectionPool("soak", endpoint, options);
        await pool.StartAsync();
        var catalog = new QueryCatalog();
        NamedQuery probe = catalog.Add("probe.one", "SELECT 1", "SELECT 1");
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { Interval = TimeSpan.FromMilliseconds(50) });
        monitor.Start();

        var inUse = new ConcurrentDictionary<DbConnection, int>(ReferenceEqualityComparer.Instance);
        long leases = 0, timeouts = 0, cancelled = 0, shared = 0, queries = 0, broken = 0;
        DateTime stopAt = DateTime.UtcNow + Duration;

        async Task BorrowerAsync(int seed)
        {
            var random = new Random(seed);
            while (DateTime.UtcNow < stopAt)
            {
                using var cancel = new CancellationTokenSource();
                if (random.Next(10) == 0)
                {
                    cancel.CancelAfter(random.Next(0, 5));
                }

                PooledConnection lease;
                try
                {
                    lease = await pool.AcquireAsync(cancel.Token);
                }
                catch (PoolTimeoutException)
                {
                    Interlocked.Increment(ref timeouts);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    continue;
                }

                using (lease)
                {
                    Interlocked.Increment(ref leases);
                    DbConnection connection = lease.Connection;
                    if (!inUse.TryAdd(connection, 0))
                    {
                        Interlocked.Increment(ref shared);
                    }

                    if (random.Next(3) == 0)
                    {
                        await lease.Command(probe).ExecuteScalarAsync(CancellationToken.None);
                        Interlocked.Increment(ref queries);
                    }

                    await Task.Delay(random.Next(0, 4), CancellationToken.None);
                    if (random.Next(50) == 0)
                    {
                        lease.MarkBroken();
                        Interlocked.Increment(ref broken);
                    }

                    inUse.TryRemove(connection, out _);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => BorrowerAsync(i))));
        await monitor.DisposeAsync();
        long monitorChecks = monitor.GetHealth("soak").Checks;

        PoolStatistics s = pool.Statistics;
        TestContext.Out.WriteLine($"{_provider}: {leases} leases, {queries} queries, {timeouts} timeouts, {cancelled} cancelled, {broken} marked broken; {s}");
        Assert.That(shared, Is.Zero, "a connection was held by two borrowers at once");
        Assert.That((s.Leased, s.Waiters), Is.EqualTo((0, 0)));
        Assert.That(s.Idle + s.Leased, Is.EqualTo(s.Total), "no slot stuck in between");
        Assert.That(s.Total, Is.InRange(0, options.MaxSize));
        // The monitor's pings borrow from the same saturated pool, and the pool counts their timeouts too
        // (a busy CI machine produced one): every timeout is a borrower's or one of the monitor's checks.
        Assert.That(s.Timeouts - timeouts, Is.InRange(0, monitorChecks), $"pool counted {s.Timeouts} timeouts, borrowers saw {timeouts}, the monitor checked {monitorChecks} times");
        Assert.That(s.Evictions, Is.GreaterThanOrEqualTo(broken), "every connection marked broken was closed");
        Assert.That(leases, Is.GreaterThan(100));
        Assert.That(probe.Statistics.Count, Is.EqualTo(queries));
        Assert.That(probe.Statistics.Errors, Is.Zero);

        // Still fully usable afterwards: every slot can be leased at once.
        PooledConnection[] all = await Task.WhenAll(Enumerable.Range(0, options.MaxSize).Select(_ => pool.AcquireAsync().AsTask()));
        Assert.That(all.Select(l => l.Connection).Distinct().Count(), Is.EqualTo(options.MaxSize));
        foreach (PooledConnection lease in all)
        {
            lease.Dispose();
        }
    }
}
