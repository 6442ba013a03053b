using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Realm.Data.Providers;

namespace Realm.Data.Pooling;

/// <summary>
/// The named connection pools of one server (<c>shard_0</c>, <c>shard_0_replica_1</c>, ...), created
/// together from configuration, started together, looked up by name, and disposed together. Not a
/// singleton: create one and pass it (or its pools) to what needs them.
/// </summary>
/// <remarks>Thread-safe after construction. Lookups by name are meant for start-up; keep the <see cref="ConnectionPool"/> you got.</remarks>
public sealed partial class PoolRegistry : IAsyncDisposable
{
    private readonly ConnectionPool[] _pools;
    private int _disposed;

    /// <summary>Creates (but does not open) every pool.</summary>
    /// <exception cref="ArgumentException">No pools, a bad or duplicate name, or invalid options; every problem is listed.</exception>
    public PoolRegistry(IEnumerable<PoolDefinition> definitions, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        PoolDefinition[] all = [.. definitions];
        var errors = new List<string>();
        if (all.Length == 0)
        {
            errors.Add("no pools are defined");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (PoolDefinition definition in all)
        {
            if (!IsValidName(definition.Name))
            {
                errors.Add($"pool name \"{definition.Name}\" is not allowed: letters, digits and '_' only");
            }
            else if (!names.Add(definition.Name!))
            {
                errors.Add($"pool \"{definition.Name}\" is defined twice");
            }

            errors.AddRange(definition.Options.Validate().Select(e => $"pool \"{definition.Name}\": {e}"));
        }

        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(definitions), string.Join("; ", errors));
        }

        _pools = [.. all.Select(d => new ConnectionPool(d.Name, d.Endpoint, d.Options, loggerFactory?.CreateLogger("Realm.Data.Pool." + d.Name), time))];
    }

    /// <summary>True when <paramref name="name"/> is usable as a pool name: letters, digits and '_'.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Every pool, in definition order.</summary>
    public IReadOnlyList<ConnectionPool> Pools => _pools;

    /// <summary>The database engines the pools use (each once), for <see cref="Queries.QueryCatalog.Validate"/>.</summary>
    public IEnumerable<DatabaseProvider> Providers => _pools.Select(p => p.Endpoint.Provider).Distinct();

    /// <summary>The pool named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No pool has that name; the message lists the names.</exception>
    public ConnectionPool Get(string name) => TryGet(name, out ConnectionPool? pool)
        ? pool
        : throw new KeyNotFoundException($"no pool is named \"{name}\"; defined: {string.Join(", ", _pools.Select(p => p.Name))}");

    /// <summary>The pool named <paramref name="name"/>, or false.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConnectionPool? pool)
    {
        foreach (ConnectionPool candidate in _pools)
        {
            if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
            {
                pool = candidate;
                return true;
            }
        }

        pool = null;
        return false;
    }

    /// <summary>Starts every pool in parallel (opens each to its minimum, checks MySQL's <c>wait_timeout</c>).</summary>
    /// <exception cref="AggregateException">Some pools failed to start; each inner error names its pool.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Task[] starts = [.. _pools.Select(p => StartOneAsync(p, cancellationToken))];
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            throw new AggregateException(
                $"{starts.Count(t => t.IsFaulted)} of {_pools.Length} pools did not start",
                starts.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions));
        }
    }

    /// <summary>
    /// Disposes every pool in parallel; each fails its waiters, waits up to <paramref name="leaseTimeout"/>
    /// for its leases to come back, and closes its connections.
    /// </summary>
    public async Task DisposeAsync(TimeSpan leaseTimeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(_pools.Select(p => p.DisposeAsync(leaseTimeout))).ConfigureAwait(false);
    }

    /// <summary>Disposes with a 5-second wait for leases.</summary>
    public ValueTask DisposeAsync() => new(DisposeAsync(TimeSpan.FromSeconds(5)));

    private static async Task StartOneAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        try
        {
            await pool.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"pool \"{pool.Name}\" ({pool.Endpoint.DisplayName}) did not start: {e.Message}", e);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
