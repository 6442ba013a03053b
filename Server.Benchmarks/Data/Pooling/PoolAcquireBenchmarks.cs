using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.ObjectPool;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Server.Benchmarks.Data.Pooling;

/// <summary>
/// Question: what does one acquire + release of an idle pooled connection cost, alone and with two
/// threads contending? Baselines: <see cref="ConcurrentBag{T}"/> take/add (what many pools are built on)
/// and <see cref="DefaultObjectPool{T}"/>. The Realm pool holds real (SQLite) connections; the baselines
/// hold plain objects, so they measure only the container. Targets (TARGETS.md): ≤ 50 ns and 0 B on
/// one thread; ≥ 10 M ops/s with two threads.
/// </summary>
[MemoryDiagnoser]
public class PoolAcquireBenchmarks
{
    private const int Operations = 1_000_000;
    private readonly ConcurrentBag<object> _bag = [];
    private readonly DefaultObjectPool<object> _objectPool = new(new DefaultPooledObjectPolicy<object>(), 8);
    private ConnectionPool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        string path = Path.Combine(Path.GetTempPath(), $"realm-pool-bench-{Environment.ProcessId}.db");
        if (!DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _pool = new ConnectionPool("bench", endpoint!, new ConnectionPoolOptions { MinSize = 4, MaxSize = 4, LeakDetectionThreshold = TimeSpan.FromMinutes(1) });
        _pool.StartAsync().GetAwaiter().GetResult();
        for (int i = 0; i < 4; i++)
        {
            _bag.Add(new object());
            _objectPool.Return(new object());
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public bool ConcurrentBag()
    {
        bool taken = _bag.TryTake(out object? item);
        _bag.Add(item!);
        return taken;
    }

    [Benchmark]
    public object ObjectPool()
    {
        object item = _objectPool.Get();
        _objectPool.Return(item);
        return item;
    }

    [Benchmark]
    public bool RealmPool() => AcquireRelease(_pool);

    [Benchmark(OperationsPerInvoke = 2 * Operations)]
    public void ConcurrentBagTwoThreads() => OnTwoThreads(() =>
    {
        for (int i = 0; i < Operations; i++)
        {
            if (_bag.TryTake(out object? item))
            {
                _bag.Add(item);
            }
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * Operations)]
    public void RealmPoolTwoThreads() => OnTwoThreads(() =>
    {
        for (int i = 0; i < Operations; i++)
        {
            AcquireRelease(_pool);
        }
    });

    private static bool AcquireRelease(ConnectionPool pool)
    {
        ValueTask<PooledConnection> pending = pool.AcquireAsync();
        PooledConnection lease = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        lease.Dispose();
        return true;
    }

    private static void OnTwoThreads(Action work)
    {
        var second = new Thread(() => work());
        second.Start();
        work();
        second.Join();
    }
}
