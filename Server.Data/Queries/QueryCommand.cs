using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Realm.Data.Pooling;

namespace Realm.Data.Queries;

/// <summary>
/// A named query bound to one leased connection: the connection's own prepared command for it, reused by
/// every lease of that connection. Set the parameters, then execute once; each execution is timed and
/// counted in the query's <see cref="QueryStatistics"/>. Valid until the lease is given back.
/// </summary>
/// <remarks>
/// A failure that leaves the connection unusable (anything but a <see cref="DbException"/> with the
/// connection still open) marks the lease broken, so the pool closes that connection when it comes back.
/// </remarks>
#pragma warning disable CA1815 // a handle on a lease's command, not a value
public readonly struct QueryCommand
#pragma warning restore CA1815
{
    private readonly PooledConnection _lease;
    private readonly DbCommand _command;

    internal QueryCommand(PooledConnection lease, DbCommand command, NamedQuery query)
    {
        _lease = lease;
        _command = command;
        Query = query;
    }

    /// <summary>The query this command runs.</summary>
    public NamedQuery Query { get; }

    /// <summary>The driver's command (prepared, parameters in declaration order), for what this type does not cover.</summary>
    public DbCommand DbCommand => _command;

    /// <summary>Binds parameter number <paramref name="index"/> (declaration order); null binds SQL NULL.</summary>
    public QueryCommand Set(int index, object? value)
    {
        _command.Parameters[index].Value = value ?? DBNull.Value;
        return this;
    }

    /// <summary>Binds parameter <paramref name="name"/> (with or without its <c>@</c>); null binds SQL NULL.</summary>
    /// <exception cref="ArgumentException">The query has no such parameter.</exception>
    public QueryCommand Set(string name, object? value) => Set(Query.IndexOf(name), value);

    /// <summary>Runs the statement; returns the rows affected.</summary>
    public async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            int rows = await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Query.Statistics.Record(start, failed: false);
            return rows;
        }
        catch (Exception e)
        {
            OnFailure(start, e);
            throw;
        }
    }

    /// <summary>Runs the statement; returns the first column of the first row, or null when there is none (SQL NULL included).</summary>
    public async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            object? value = await _command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            Query.Statistics.Record(start, failed: false);
            return value is DBNull ? null : value;
        }
        catch (Exception e)
        {
            OnFailure(start, e);
            throw;
        }
    }

    /// <summary>Runs the statement and returns its reader (dispose it before the next command on this lease). Timed until the first result is ready.</summary>
    public async Task<DbDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            DbDataReader reader = await _command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            Query.Statistics.Record(start, failed: false);
            return reader;
        }
        catch (Exception e)
        {
            OnFailure(start, e);
            throw;
        }
    }

    private void OnFailure(long start, Exception error)
    {
        Query.Statistics.Record(start, failed: true);
        if (error is not DbException || _command.Connection?.State != ConnectionState.Open)
        {
            _lease.MarkBroken();
        }
    }
}
