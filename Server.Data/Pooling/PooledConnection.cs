using System.Data.Common;
using Realm.Data.Pooling.Internal;

namespace Realm.Data.Pooling;

/// <summary>
/// A connection leased from a <see cref="ConnectionPool"/>. Dispose it to give the connection back (use
/// <c>using</c>); disposing twice, or a copy, gives it back once. Call <see cref="MarkBroken"/> when a
/// command failed in a way that leaves the connection unusable, and the pool closes it instead.
/// </summary>
#pragma warning disable CA1815 // a lease is a handle, not a value: comparing leases means nothing
public readonly struct PooledConnection : IDisposable, IAsyncDisposable
#pragma warning restore CA1815
{
    private readonly ConnectionPool _pool;
    private readonly PoolEntry _entry;
    private readonly int _generation;

    internal PooledConnection(ConnectionPool pool, PoolEntry entry, int generation)
    {
        _pool = pool;
        _entry = entry;
        _generation = generation;
    }

    /// <summary>The open connection; valid until this lease is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The lease was already given back.</exception>
    public DbConnection Connection
    {
        get
        {
            if (_entry is null || Volatile.Read(ref _entry.Generation) != _generation || _entry.Connection is not { } connection)
            {
                throw new ObjectDisposedException(nameof(PooledConnection), "this lease was given back to its pool");
            }

            return connection;
        }
    }

    /// <summary>The pool this lease came from.</summary>
    public ConnectionPool Pool => _pool;

    /// <summary>
    /// Tells the pool the connection is unusable (a network error, or a driver exception that leaves it
    /// out of step): it is closed when given back, and idle connections are checked before their next use.
    /// </summary>
    public void MarkBroken()
    {
        if (_entry is not null && Volatile.Read(ref _entry.Generation) == _generation)
        {
            _entry.BrokenGeneration = _generation;
        }
    }

    /// <summary>Gives the connection back to the pool.</summary>
    public void Dispose() => _pool?.Release(_entry, _generation);

    /// <summary>Gives the connection back to the pool.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
