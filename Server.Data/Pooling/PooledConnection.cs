using System.Data.Common;
using Realm.Data.Pooling.Internal;
using Realm.Data.Providers;
using Realm.Data.Queries;

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

    /// <summary>
    /// This connection's command for <paramref name="query"/>: created on the connection's first use of the
    /// query (and, on SQLite, compiled), then reused by every later lease of the same connection.
    /// </summary>
    /// <remarks>
    /// MySQL statements are not server-prepared: MySql.Data 8.0.16's binary protocol misreads MariaDB
    /// 10.6+'s statement metadata (measured: wrong values bound, undecodable utf8mb3 parameter
    /// definitions), so on MySQL the command object and its parameters are reused and the text protocol runs it.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The lease was already given back.</exception>
    /// <exception cref="QueryCatalogException">The query has no SQL for this pool's database.</exception>
    /// <exception cref="DbException">The database rejected the statement while preparing it.</exception>
    public QueryCommand Command(NamedQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        DbConnection connection = Connection;
        Dictionary<NamedQuery, DbCommand> commands = _entry.Commands ??= [];
        if (!commands.TryGetValue(query, out DbCommand? command))
        {
            command = Prepare(connection, query, _pool.Endpoint.Provider);
            commands.Add(query, command);
        }

        return new QueryCommand(this, command, query);
    }

    /// <summary>True when the pool pinged this connection just before handing it out (it had been idle long).</summary>
    internal bool ValidatedOnAcquire => _entry is not null && _entry.ValidatedGeneration == _generation;

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

    private static DbCommand Prepare(DbConnection connection, NamedQuery query, DatabaseProvider provider)
    {
        DbCommand command = query.CreateCommand(connection, provider);
        try
        {
            if (provider == DatabaseProvider.Sqlite)
            {
                command.Prepare(); // compiled once per connection; MySQL commands are reused client-side only (see QueryCatalog.PrepareAllAsync)
            }

            return command;
        }
        catch
        {
            command.Dispose();
            throw;
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
