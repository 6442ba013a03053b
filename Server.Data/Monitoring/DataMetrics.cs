using System.Diagnostics.Metrics;
using Realm.Data.Pooling;
using Realm.Data.Queries;

namespace Realm.Data.Monitoring;

/// <summary>
/// Publishes the data tier's state through <see cref="System.Diagnostics.Metrics"/> under the meter
/// <c>Realm.Data</c> (<see cref="MeterName"/>), for <c>dotnet-counters</c>, OpenTelemetry or a
/// <see cref="MeterListener"/>. Every instrument is observable: values are read from the pools' and
/// queries' own counters when a listener collects, so nothing is added to the hot paths.
/// </summary>
/// <remarks>
/// Instruments (tags in brackets): <c>realm.data.pool.connections</c> [pool, state=idle|leased],
/// <c>realm.data.pool.waiters</c> [pool], counters <c>realm.data.pool.acquisitions</c>, <c>.timeouts</c>,
/// <c>.creations</c>, <c>.creation_failures</c>, <c>.validations</c>, <c>.evictions</c>, <c>.leaks</c> [pool],
/// <c>realm.data.pool.acquire_wait</c> in ms [pool, quantile=p50|p99|max],
/// <c>realm.data.pool.breaker</c> [pool] (0 closed, 1 half-open, 2 open),
/// <c>realm.data.pool.health</c> [pool] (0 unknown, 1 healthy, 2 degraded, 3 down),
/// <c>realm.data.query.executions</c>, <c>realm.data.query.errors</c> [query], and
/// <c>realm.data.query.latency</c> in ms [query, quantile=p50|p99|max].
/// </remarks>
public sealed class DataMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Realm.Data";

    private static readonly string[] Quantiles = ["p50", "p99", "max"];

    private readonly Meter _meter;
    private readonly ConnectionPool[] _pools;
    private readonly NamedQuery[] _queries;
    private readonly HealthMonitor? _monitor;
    private readonly Lock _scratchLock = new();
    private readonly LatencyHistogram _scratch = new();

    /// <summary>Creates the meter and its instruments.</summary>
    /// <param name="pools">The pools to publish.</param>
    /// <param name="catalog">The named queries to publish (optional).</param>
    /// <param name="monitor">The health monitor whose states to publish (optional).</param>
    /// <param name="meterFactory">Where to create the meter (dependency injection); default: a new <see cref="Meter"/>.</param>
    public DataMetrics(IEnumerable<ConnectionPool> pools, QueryCatalog? catalog = null, HealthMonitor? monitor = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(pools);
        _pools = [.. pools];
        _queries = catalog is null ? [] : [.. catalog.Queries];
        _monitor = monitor;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _meter.CreateObservableGauge("realm.data.pool.connections", ObserveConnections, "{connection}", "Open connections by state");
        _meter.CreateObservableGauge("realm.data.pool.waiters", () => PerPool(s => s.Waiters), "{acquisition}", "Acquisitions waiting for a connection");
        Counter("acquisitions", s => s.Acquisitions, "Successful acquisitions");
        Counter("timeouts", s => s.Timeouts, "Acquisitions that timed out");
        Counter("creations", s => s.Creations, "Connections opened");
        Counter("creation_failures", s => s.CreationFailures, "Failed attempts to open a connection");
        Counter("validations", s => s.Validations, "Pings of idle connections before hand-out");
        Counter("evictions", s => s.Evictions, "Connections closed as broken, invalid or old");
        Counter("leaks", s => s.LeaksDetected, "Leases reported as held too long");
        _meter.CreateObservableGauge("realm.data.pool.acquire_wait", ObserveAcquireWait, "ms", "Time acquisitions waited");
        _meter.CreateObservableGauge("realm.data.pool.breaker", () => PerPool(s => (int)s.Breaker), null, "Circuit breaker: 0 closed, 1 half-open, 2 open");
        _meter.CreateObservableGauge("realm.data.pool.health", ObserveHealth, null, "Health: 0 unknown, 1 healthy, 2 degraded, 3 down");
        _meter.CreateObservableCounter("realm.data.query.executions", () => PerQuery(q => q.Statistics.Count), "{execution}", "Executions of a named query");
        _meter.CreateObservableCounter("realm.data.query.errors", () => PerQuery(q => q.Statistics.Errors), "{execution}", "Executions of a named query that failed");
        _meter.CreateObservableGauge("realm.data.query.latency", ObserveQueryLatency, "ms", "Latency of a named query");
    }

    /// <summary>The meter (for tests and listeners that filter by instance).</summary>
    public Meter Meter => _meter;

    /// <summary>Disposes the meter; its instruments stop publishing.</summary>
    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private void Counter(string name, Func<PoolStatistics, long> read, string description) =>
        _meter.CreateObservableCounter("realm.data.pool." + name, () => PerPool(read), null, description);

    private IEnumerable<Measurement<T>> PerPool<T>(Func<PoolStatistics, T> read)
        where T : struct
    {
        foreach (ConnectionPool pool in _pools)
        {
            yield return new Measurement<T>(read(pool.Statistics), Tag("pool", pool.Name));
        }
    }

    private IEnumerable<Measurement<long>> PerQuery(Func<NamedQuery, long> read)
    {
        foreach (NamedQuery query in _queries)
        {
            yield return new Measurement<long>(read(query), Tag("query", query.Name));
        }
    }

    private IEnumerable<Measurement<int>> ObserveConnections()
    {
        foreach (ConnectionPool pool in _pools)
        {
            PoolStatistics s = pool.Statistics;
            yield return new Measurement<int>(s.Idle, Tag("pool", pool.Name), Tag("state", "idle"));
            yield return new Measurement<int>(s.Leased, Tag("pool", pool.Name), Tag("state", "leased"));
        }
    }

    private IEnumerable<Measurement<int>> ObserveHealth()
    {
        foreach (ConnectionPool pool in _pools)
        {
            HealthState state = _monitor is not null && _monitor.TryGetHealth(pool.Name, out PoolHealth health) ? health.State : HealthState.Unknown;
            yield return new Measurement<int>((int)state, Tag("pool", pool.Name));
        }
    }

    private List<Measurement<double>> ObserveAcquireWait()
    {
        var measurements = new List<Measurement<double>>(_pools.Length * Quantiles.Length);
        lock (_scratchLock)
        {
            foreach (ConnectionPool pool in _pools)
            {
                pool.CopyAcquireWaitTo(_scratch);
                AddQuantiles(measurements, Tag("pool", pool.Name));
            }
        }

        return measurements;
    }

    private List<Measurement<double>> ObserveQueryLatency()
    {
        var measurements = new List<Measurement<double>>(_queries.Length * Quantiles.Length);
        lock (_scratchLock)
        {
            foreach (NamedQuery query in _queries)
            {
                query.Statistics.Latency.CopyTo(_scratch);
                AddQuantiles(measurements, Tag("query", query.Name));
            }
        }

        return measurements;
    }

    private void AddQuantiles(List<Measurement<double>> into, KeyValuePair<string, object?> subject)
    {
        into.Add(new Measurement<double>(_scratch.PercentileMilliseconds(50), subject, Tag("quantile", Quantiles[0])));
        into.Add(new Measurement<double>(_scratch.PercentileMilliseconds(99), subject, Tag("quantile", Quantiles[1])));
        into.Add(new Measurement<double>(_scratch.MaxMilliseconds, subject, Tag("quantile", Quantiles[2])));
    }
}
