using System.Diagnostics;
using System.Globalization;
using System.Net;
using Realm.Data.Coordination;
using Realm.Data.Locking;
using Realm.Data.Monitoring;
using StackExchange.Redis;

namespace Realm.LoadTester.Locks;

/// <summary>
/// Lock latency on loopback Redis, one operation in flight (the latency a login sees), per case:
/// the plain StackExchange.Redis baselines (<c>SET NX PX</c>; the bare <c>EVAL</c> of Realm's acquisition script on a connection of its own,
/// which separates the server's script cost from Realm's client side; <c>LockTake</c> + <c>LockRelease</c>), Realm on
/// one Redis, Realm's Redlock over three masters, and in-process. Rounds interleave the cases so that
/// machine noise hits all of them alike (within a round, case after case in runs of 100 operations);
/// percentiles are over every operation of every round. Allocations are counted in a separate pass.
/// </summary>
internal sealed class LockLatencyBench
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private const int Turn = 100;
    private readonly IReadOnlyList<DnsEndPoint> _servers;
    private readonly int _operations;
    private readonly int _rounds;

    public LockLatencyBench(IReadOnlyList<DnsEndPoint> servers, int operations, int rounds)
    {
        _servers = servers;
        _operations = operations;
        _rounds = rounds;
    }

    public static bool TryParse(string[] args, out LockLatencyBench? bench, out string? error)
    {
        bench = null;
        string? redis = null;
        int operations = 20_000;
        int rounds = 3;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--redis":
                    redis = value;
                    i++;
                    break;
                case "--ops" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out operations) && operations >= 100:
                    i++;
                    break;
                case "--rounds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out rounds) && rounds is >= 1 and <= 100:
                    i++;
                    break;
                default:
                    error = $"unknown or bad option \"{args[i]} {value}\" (--redis HOST:PORT,HOST:PORT,HOST:PORT  --ops N>=100  --rounds 1..100)";
                    return false;
            }
        }

        if (!RedisEndpointList.TryParse(redis, out RedisEndpointList? list, out error))
        {
            error = $"--redis: {error}";
            return false;
        }

        if (list!.Endpoints.Count < 3)
        {
            error = "--redis: list three independent Redis servers (the first is used for the single-instance cases)";
            return false;
        }

        foreach (DnsEndPoint server in list.Endpoints)
        {
            if (!IPAddress.TryParse(server.Host, out IPAddress? address) || !IPAddress.IsLoopback(address))
            {
                error = $"--redis: {RedisEndpointList.Format(server)} is not a loopback address; load tests stay on loopback";
                return false;
            }
        }

        bench = new LockLatencyBench(list.Endpoints.Take(3).ToArray(), operations, rounds);
        return true;
    }

    public async Task<int> RunAsync(TextWriter output)
    {
        ConnectionMultiplexer[] raws = await Task.WhenAll(_servers.Select(ConnectRawAsync));
        IDatabase db = raws[0].GetDatabase();
        IDatabase[] all = raws.Select(r => r.GetDatabase()).ToArray();

        // The bare script gets a connection of its own, as Realm's lock has: on this machine a connection's
        // threads slow down once it has been idle for a few milliseconds, and a connection shared by three
        // baseline cases is idle less between turns than one that serves two. Measured 2026-12-02: the same
        // EVAL took 70–82 µs at the p50 on the shared connection and 86 µs on a connection of its own.
        ConnectionMultiplexer evalConnection = await ConnectRawAsync(_servers[0]);
        IDatabase evalDb = evalConnection.GetDatabase();
        await using DistributedLock single = await DistributedLock.ConnectRedisAsync(_servers[0]);
        await using DistributedLock redlock = await DistributedLock.ConnectRedlockAsync(_servers);
        await using DistributedLock inProcess = DistributedLock.CreateInProcess();
        string run = Guid.NewGuid().ToString("N")[..8];
        // Acquire-only cases: their locks are released after each turn, outside the timing, so that at most one
        // turn's locks (100) are held and renewed; the watchdog's own cost is measured by the release cases.
        var held = new List<ILockHandle>();
        var cases = new (string Name, Func<int, Task> Operation)[]
        {
            ("baseline SET NX PX", i => db.StringSetAsync($"bench:{run}:raw:{i}", "owner", Lease, When.NotExists)),
            ("baseline 3 x SET NX PX parallel", i => Task.WhenAll(all.Select(d => d.StringSetAsync($"bench:{run}:raw3:{i}", "owner", Lease, When.NotExists)))),
            ("baseline EVAL of Realm's acquire", i => evalDb.ScriptEvaluateAsync(
                Realm.Data.Locking.Internal.RedisLockServer.AcquireScript,
                [$"bench:{run}:eval:{{{i}}}", $"bench:{run}:eval:{{{i}}}:fence"],
                ["owner", (long)Lease.TotalMilliseconds, 86_400_000L, 0L])),
            ("baseline LockTake+LockRelease", async i =>
            {
                RedisKey key = $"bench:{run}:take:{i}";
                await db.LockTakeAsync(key, "owner", Lease);
                await db.LockReleaseAsync(key, "owner");
            }),
            ("redis acquire", i => AcquireAsync(single, $"bench:{run}:single:{i}", held)),
            ("redis acquire+release", i => AcquireAsync(single, $"bench:{run}:single-rel:{i}", null)),
            ("redlock(3) acquire", i => AcquireAsync(redlock, $"bench:{run}:redlock:{i}", held)),
            ("redlock(3) acquire+release", i => AcquireAsync(redlock, $"bench:{run}:redlock-rel:{i}", null)),
            ("in-process acquire+release", i => AcquireAsync(inProcess, $"bench:{run}:local:{i}", null)),
        };

        var histograms = cases.Select(_ => new LatencyHistogram()).ToArray();
        var allocated = new long[cases.Length];
        int perRound = _operations / _rounds;
        output.WriteLine($"locks: {cases.Length} cases x {_rounds} interleaved rounds x {perRound} operations, one in flight, Redis {string.Join(",", _servers.Select(RedisEndpointList.Format))}");
        for (int round = 0; round < _rounds; round++)
        {
            int offset = round * perRound;
            for (int c = 0; c < cases.Length; c++)
            {
                for (int i = 0; i < Math.Min(500, perRound / 10); i++)
                {
                    await cases[c].Operation(-1 - i - offset); // warm-up: JIT, connections, script cache
                }
            }

            // Case after case in short runs (Turn operations, ~10 ms): a burst of machine noise, which lasts longer,
            // hits every case alike, while each run still sees its servers awake as a login would.
            for (int first = 0; first < perRound; first += Turn)
            {
                for (int c = 0; c < cases.Length; c++)
                {
                    for (int i = first; i < Math.Min(perRound, first + Turn); i++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        await cases[c].Operation(offset + i);
                        histograms[c].Record((long)(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6));
                    }

                    await ReleaseAsync(held);
                }
            }
        }

        // Allocations per case, in a pass of its own (the interleaved pass mixes the cases' allocations).
        int allocationOps = Math.Min(perRound, 2_000);
        for (int c = 0; c < cases.Length; c++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < allocationOps; i++)
            {
                await cases[c].Operation(-1_000_000 - i);
            }

            allocated[c] = GC.GetTotalAllocatedBytes(precise: true) - before;
            await ReleaseAsync(held);
        }

        double P50(int index) => histograms[index].PercentileMilliseconds(50);
        double P99(int index) => histograms[index].PercentileMilliseconds(99);
        output.WriteLine($"{"case",-32} {"p50 µs",8} {"p99 µs",8} {"max µs",8} {"B/op",7}  p50 ratio");
        for (int c = 0; c < cases.Length; c++)
        {
            LatencyHistogram h = histograms[c];
            double p50 = h.PercentileMilliseconds(50);
            string ratio = c switch
            {
                2 => string.Create(CultureInfo.InvariantCulture, $"{p50 / P50(0):F2} x SET NX PX"),
                4 => string.Create(CultureInfo.InvariantCulture, $"{p50 / P50(0):F2} x SET NX PX, {p50 / P50(2):F2} x its bare EVAL; p99 {P99(4) / P99(0):F2} x SET's, {P99(4) / P99(2):F2} x EVAL's"),
                5 => string.Create(CultureInfo.InvariantCulture, $"{p50 / P50(3):F2} x LockTake+LockRelease"),
                6 => string.Create(CultureInfo.InvariantCulture, $"{p50 / P50(4):F2} x single Redis, {p50 / P50(1):F2} x 3 parallel SET"),
                7 => string.Create(CultureInfo.InvariantCulture, $"{p50 / P50(5):F2} x single Redis"),
                _ => string.Empty,
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases[c].Name,-32} {p50 * 1000,8:F1} {h.PercentileMilliseconds(99) * 1000,8:F1} {h.MaxMilliseconds * 1000,8:F0} {allocated[c] / (double)allocationOps,7:F0}  {ratio}"));
        }

        foreach (ConnectionMultiplexer raw in raws.Append(evalConnection))
        {
            await raw.CloseAsync(allowCommandsToComplete: false);
            raw.Dispose();
        }

        return 0;
    }

    private static async Task<ConnectionMultiplexer> ConnectRawAsync(DnsEndPoint server)
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 5000, SyncTimeout = 5000 };
        options.EndPoints.Add(server.Host, server.Port);
        ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(options);
        raw.PreserveAsyncOrder = false; // as Realm's own connections: an ordered completion queue only adds latency
        return raw;
    }

    private static async Task ReleaseAsync(List<ILockHandle> held)
    {
        foreach (ILockHandle handle in held)
        {
            await handle.ReleaseAsync();
        }

        held.Clear();
    }

    private static async Task AcquireAsync(DistributedLock locks, string resource, List<ILockHandle>? keep)
    {
        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        if (!acquisition.Acquired)
        {
            throw new InvalidOperationException($"benchmark acquisition failed: {acquisition.Reason}");
        }

        if (keep is null)
        {
            await acquisition.Handle!.ReleaseAsync();
        }
        else
        {
            keep.Add(acquisition.Handle!);
        }
    }
}
