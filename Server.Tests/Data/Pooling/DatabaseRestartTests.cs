using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Data.Pooling;

/// <summary>
/// The test MariaDB is killed (SIGKILL) and started again while a workload borrows connections: the
/// breaker opens and fails fast, the monitor reports Down then Healthy, and the pool recovers with at most
/// one failed borrow after the restart and a full pool again within one health interval.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class DatabaseRestartTests
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromMilliseconds(250);

    [Test]
    public async Task MariaDbKilledAndRestarted_BreakerFailsFast_PoolRecovers_AtMostOneFailedBorrowAfterRestart()
    {
        Assert.That(DatabaseEndpoint.TryCreateMySql(TestServices.RequireMySql(), out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        string control = TestServices.RequireMySqlControl();
        var options = new ConnectionPoolOptions
        {
            MinSize = 4,
            MaxSize = 8,
            AcquireTimeout = TimeSpan.FromSeconds(2),
            BreakerFailureThreshold = 2,
            BreakerCooldown = TimeSpan.FromMilliseconds(300),
            MaintenanceInterval = TimeSpan.FromMilliseconds(200),
        };
        await using var pool = new ConnectionPool("shard_0", endpoint!, options);
        await pool.StartAsync();
        var catalog = new QueryCatalog();
        NamedQuery probe = catalog.Add("probe.one", "SELECT 1", "SELECT 1");
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { Interval = HealthInterval, PingTimeout = TimeSpan.FromMilliseconds(500) });
        var changes = new ConcurrentQueue<(long At, HealthChange Change)>();
        monitor.HealthChanged += c => changes.Enqueue((Stopwatch.GetTimestamp(), c));
        long breakerClosedAt = 0;
        pool.BreakerChanged += (_, _, now) =>
        {
            if (now == CircuitState.Closed)
            {
                Interlocked.Exchange(ref breakerClosedAt, Stopwatch.GetTimestamp());
            }
        };
        monitor.Start();
        await WaitForAsync(() => monitor.GetHealth("shard_0").State == HealthState.Healthy, "Healthy before the kill");

        using var stop = new CancellationTokenSource();
        var outcomes = new ConcurrentQueue<(long At, string Outcome)>();
        Task[] workers = [.. Enumerable.Range(0, 3).Select(_ => Task.Run(() => BorrowLoopAsync(pool, probe, outcomes, stop.Token)))];
        bool killed = false;
        try
        {
            await WaitForAsync(() => outcomes.Count(o => o.Outcome == "ok") >= 20, "the workload running before the kill");
            await TestServices.RunControlAsync(control, "kill");
            killed = true;
            await WaitForAsync(() => monitor.GetHealth("shard_0").State == HealthState.Down && pool.Breaker != CircuitState.Closed, "Down with the breaker open after the kill");

            // Fail fast: while the breaker is open (and no idle connection is left), an acquisition does not wait for AcquireTimeout.
            await WaitForAsync(() => pool.Breaker == CircuitState.Open && pool.Statistics.Idle == 0, "breaker open, no idle connection");
            long failStart = Stopwatch.GetTimestamp();
            Assert.ThrowsAsync<PoolUnavailableException>(async () => await pool.AcquireAsync());
            TimeSpan failFast = Stopwatch.GetElapsedTime(failStart);
            Assert.That(failFast, Is.LessThan(TimeSpan.FromMilliseconds(200)), "fails fast instead of waiting the 2 s acquire timeout");

            await TestServices.RunControlAsync(control, "start");
            killed = false;
            long restarted = Stopwatch.GetTimestamp();
            await WaitForAsync(() => monitor.GetHealth("shard_0").State == HealthState.Healthy, "Healthy after the restart");
            TimeSpan toHealthy = Stopwatch.GetElapsedTime(restarted);
            Assert.That(pool.Statistics.Total, Is.GreaterThanOrEqualTo(options.MinSize), "full again when the monitor first sees the database back");
            await WaitForAsync(() => outcomes.Count(o => o.At > restarted && o.Outcome == "ok") >= 50, "the workload running on the recovered pool");
            await stop.CancelAsync();
            await Task.WhenAll(workers);

            // After the restart a borrower may be refused fast until the breaker closes (the monitor's probe or
            // the cool-down, whichever comes first); what must not happen is a borrow handed a dead connection.
            long closed = Interlocked.Read(ref breakerClosedAt);
            (long At, string Outcome)[] after = [.. outcomes.Where(o => o.At > restarted)];
            string[] failedAfterRestart = [.. after.Where(o => o.Outcome is not "ok" and not "fail-fast").Select(o => o.Outcome)];
            int refusedAfterClose = after.Count(o => o.Outcome == "fail-fast" && o.At > closed);
            int okAfterRestart = after.Count(o => o.Outcome == "ok");
            TimeSpan refusalWindow = closed > restarted ? Stopwatch.GetElapsedTime(restarted, closed) : TimeSpan.Zero;
            TestContext.Out.WriteLine(
                $"fail-fast {failFast.TotalMilliseconds:F1} ms; breaker closed {refusalWindow.TotalMilliseconds:F0} ms and Healthy {toHealthy.TotalMilliseconds:F0} ms after the server answered " +
                $"(interval {HealthInterval.TotalMilliseconds:F0} ms, cool-down {options.BreakerCooldown.TotalMilliseconds:F0} ms); " +
                $"after restart: {okAfterRestart} ok, {after.Count(o => o.Outcome == "fail-fast")} refused fast before the breaker closed, {failedAfterRestart.Length} failed [{string.Join("; ", failedAfterRestart)}]; " +
                $"health: {string.Join(" -> ", changes.Select(c => c.Change.New))}; pool {pool.Statistics}");
            Assert.That(failedAfterRestart, Has.Length.LessThanOrEqualTo(1), "at most one borrow after the restart gets a connection that fails");
            Assert.That(refusedAfterClose, Is.Zero, "no refusal once the breaker has closed");
            Assert.That(refusalWindow, Is.LessThan(HealthInterval + TimeSpan.FromMilliseconds(200)), "the breaker closes within one health interval of the server answering");
            Assert.That(okAfterRestart, Is.GreaterThan(0));
            Assert.That(toHealthy, Is.LessThan(HealthInterval + options.BreakerCooldown + TimeSpan.FromSeconds(1)));
            Assert.That(changes.Select(c => c.Change.New), Does.Contain(HealthState.Down));
        }
        finally
        {
            await stop.CancelAsync();
            if (killed)
            {
                await TestServices.RunControlAsync(control, "start"); // leave the server running for the other tests
            }
        }
    }

    private static async Task BorrowLoopAsync(ConnectionPool pool, NamedQuery probe, ConcurrentQueue<(long, string)> outcomes, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string outcome;
            try
            {
                using PooledConnection lease = await pool.AcquireAsync(CancellationToken.None);
                await lease.Command(probe).ExecuteScalarAsync(CancellationToken.None);
                outcome = "ok";
            }
            catch (PoolUnavailableException)
            {
                outcome = "fail-fast";
            }
            catch (Exception e) when (e is DbException or PoolTimeoutException or InvalidOperationException or IOException or TimeoutException)
            {
                outcome = e.GetType().Name + ": " + e.Message;
            }

            outcomes.Enqueue((Stopwatch.GetTimestamp(), outcome));
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"not reached within 30 s: {what}");
            }

            await Task.Delay(10);
        }
    }
}
