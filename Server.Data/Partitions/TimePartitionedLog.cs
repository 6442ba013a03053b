using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using MySql.Data.MySqlClient;
using Realm.Data.Internal;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;

namespace Realm.Data.Partitions;

/// <summary>
/// An append-only log table split by time, so old history is dropped in one cheap step instead of a
/// huge <c>DELETE</c>, and a time-range read touches only the periods it covers.
/// </summary>
/// <remarks>
/// <para>
/// <b>MariaDB</b>: one table <c>PARTITION BY RANGE (at)</c> with one partition per period
/// (<c>p20261202</c> holds <c>at</c> below the next day's first millisecond). The server routes inserts and
/// prunes range reads (MariaDB Knowledge Base, "RANGE Partitioning Type", "Partition Pruning"); there is
/// no catch-all partition, so <see cref="MaintainAsync"/> must keep <see cref="TimePartitionOptions.CreateAhead"/>
/// periods ahead, and an insert past them fails with a message saying so.
/// </para>
/// <para>
/// <b>SQLite</b> has no partitioning: one table per period (<c>currency_log_20261202</c>); inserts and
/// range reads go to the tables of their periods.
/// </para>
/// <para>Thread-safe. Run <see cref="MaintainAsync"/> at start-up and then periodically (<see cref="Start"/>).</para>
/// </remarks>
public sealed class TimePartitionedLog : IAsyncDisposable
{
    private const int NoPartitionForValue = 1526; // ER_NO_PARTITION_FOR_GIVEN_VALUE
    private const int TableExists = 1050; // ER_TABLE_EXISTS_ERROR
    private const string Columns = "entry_id, player_id, amount, reason, at";
    private readonly ConnectionPool _pool;
    private readonly TimePartitionOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _mySql;
    private readonly SemaphoreSlim _maintaining = new(1, 1);
    private readonly NamedQuery? _append; // MariaDB: one table
    private readonly ConcurrentDictionary<string, NamedQuery> _appendByTable = new(StringComparer.Ordinal); // SQLite: one per period table
    private PeriodicWork? _loop;

    /// <exception cref="ArgumentException">Invalid options (every problem listed).</exception>
    public TimePartitionedLog(ConnectionPool pool, TimePartitionOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), $"time-partitioned log on \"{pool.Name}\": " + string.Join("; ", errors));
        }

        _pool = pool;
        _options = options;
        _time = time ?? TimeProvider.System;
        _mySql = pool.Endpoint.Provider == DatabaseProvider.MySql;
        if (_mySql)
        {
            _append = AppendQuery(_options.Table);
        }
    }

    /// <summary>The settings.</summary>
    public TimePartitionOptions Options => _options;

    /// <summary>The first instant of the period holding <paramref name="at"/> (UTC).</summary>
    public DateTimeOffset PeriodStart(DateTimeOffset at)
    {
        DateTimeOffset utc = at.ToUniversalTime();
        return _options.Period == PartitionPeriod.Daily
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The period after the one starting at <paramref name="start"/>.</summary>
    public DateTimeOffset NextPeriod(DateTimeOffset start) => _options.Period == PartitionPeriod.Daily ? start.AddDays(1) : start.AddMonths(1);

    /// <summary>
    /// The partition (MariaDB) or table (SQLite) holding <paramref name="at"/>: <c>p20261202</c> /
    /// <c>currency_log_20261202</c> daily, <c>p202612</c> / <c>currency_log_202612</c> monthly.
    /// </summary>
    public string PartitionOf(DateTimeOffset at)
    {
        DateTimeOffset start = PeriodStart(at);
        string suffix = start.ToString(_options.Period == PartitionPeriod.Daily ? "yyyyMMdd" : "yyyyMM", CultureInfo.InvariantCulture);
        return _mySql ? "p" + suffix : $"{_options.Table}_{suffix}";
    }

    /// <summary>The partitions or tables that hold times in [<paramref name="from"/>, <paramref name="to"/>), oldest first (whether they exist or not).</summary>
    public IReadOnlyList<string> PartitionsFor(DateTimeOffset from, DateTimeOffset to)
    {
        var names = new List<string>();
        for (DateTimeOffset start = PeriodStart(from); start < to; start = NextPeriod(start))
        {
            names.Add(PartitionOf(start));
        }

        return names;
    }

    /// <summary>The partitions (MariaDB) or period tables (SQLite) that exist now, oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            return await ListOnAsync(lease.Connection, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates the table if missing, every period from the current one to <see cref="TimePartitionOptions.CreateAhead"/>
    /// ahead, and drops the periods older than <see cref="TimePartitionOptions.Retention"/>. Idempotent.
    /// </summary>
    public async Task<PartitionMaintenance> MaintainAsync(CancellationToken cancellationToken = default)
    {
        await _maintaining.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            DateTimeOffset current = PeriodStart(_time.GetUtcNow());
            var wanted = new List<DateTimeOffset> { current };
            for (int i = 0; i < _options.CreateAhead; i++)
            {
                wanted.Add(NextPeriod(wanted[^1]));
            }

            DateTimeOffset oldestKept = current;
            for (int i = 1; i < _options.Retention; i++)
            {
                oldestKept = _options.Period == PartitionPeriod.Daily ? oldestKept.AddDays(-1) : oldestKept.AddMonths(-1);
            }

            PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
            await using (lease.ConfigureAwait(false))
            {
                DbConnection connection = lease.Connection;
                IReadOnlyList<string> existing = await ListOnAsync(connection, cancellationToken).ConfigureAwait(false);
                var created = new List<string>();
                var dropped = new List<string>();
                string oldestName = PartitionOf(oldestKept);
                foreach (string name in existing)
                {
                    if (string.CompareOrdinal(name, oldestName) < 0 && name.Length == oldestName.Length)
                    {
                        dropped.Add(name); // same-width names of one period kind sort by time
                    }
                }

                if (_mySql)
                {
                    // Several servers may maintain the same table: one at a time, each on what the last one left.
                    object? locked = await connection.ScalarAsync($"SELECT GET_LOCK('realm_partitions_{_options.Table}', 30)", cancellationToken).ConfigureAwait(false);
                    if (Convert.ToInt64(locked, CultureInfo.InvariantCulture) != 1)
                    {
                        throw new TimeoutException($"log \"{_options.Table}\": another server held the partition maintenance lock for 30 s");
                    }

                    try
                    {
                        existing = await ListOnAsync(connection, cancellationToken).ConfigureAwait(false);
                        dropped.RemoveAll(name => !existing.Contains(name));
                        await MaintainMySqlAsync(connection, existing, wanted, oldestKept, created, dropped, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        await connection.ScalarAsync($"DO RELEASE_LOCK('realm_partitions_{_options.Table}')", CancellationToken.None).ConfigureAwait(false);
                    }
                }
                else
                {
                    await MaintainSqliteAsync(connection, existing, wanted, oldestKept, created, dropped, cancellationToken).ConfigureAwait(false);
                }

                return new PartitionMaintenance(created, dropped);
            }
        }
        finally
        {
            _maintaining.Release();
        }
    }

    /// <summary>Runs <see cref="MaintainAsync"/> every <paramref name="interval"/> in the background (errors are retried next time).</summary>
    public void Start(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromMilliseconds(10));
        var loop = new PeriodicWork(interval, _time, runAtOnce: false, async ct =>
        {
            try
            {
                await MaintainAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolUnavailableException or PoolTimeoutException)
            {
                // the next run tries again; the partitions created ahead cover the gap
            }
        });
        (Interlocked.CompareExchange(ref _loop, loop, null) ?? loop).Start(); // a second Start keeps the first loop
    }

    /// <summary>Appends <paramref name="entry"/> to the partition of its time.</summary>
    /// <exception cref="InvalidOperationException">No partition or table exists for its time (maintenance has not created it, or dropped it).</exception>
    public async Task AppendAsync(LogEntry entry, CancellationToken cancellationToken = default)
    {
        DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(entry.At);

        // Named queries: each connection prepares the statement once and reuses it (PooledConnection.Command).
        NamedQuery append = _append ?? _appendByTable.GetOrAdd(PartitionOf(at), AppendQuery);
        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            try
            {
                await lease.Command(append).Set(0, entry.EntryId).Set(1, entry.PlayerId).Set(2, entry.Amount).Set(3, entry.Reason).Set(4, entry.At)
                    .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException e) when (e is MySqlException { Number: NoPartitionForValue } || (!_mySql && e.Message.Contains("no such table", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"log \"{_options.Table}\": no partition for {at:O} ({PartitionOf(at)}); maintenance creates {_options.CreateAhead} period(s) ahead and keeps {_options.Retention}", e);
            }
        }
    }

    /// <summary>
    /// The entries with <c>at</c> in [<paramref name="from"/>, <paramref name="to"/>), ordered by (at, entry_id).
    /// Only the periods in range are read: on MariaDB the query names their partitions
    /// (<c>FROM t PARTITION (…)</c>), on SQLite it reads their tables one after the other.
    /// </summary>
    public async Task<IReadOnlyList<LogEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var entries = new List<LogEntry>();
        if (to <= from)
        {
            return entries;
        }

        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            var existing = new HashSet<string>(await ListOnAsync(lease.Connection, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
            List<string> periods = [.. PartitionsFor(from, to).Where(existing.Contains)];
            if (_mySql)
            {
                // Named partitions: only these are opened, whatever the optimizer would have pruned.
                if (periods.Count > 0)
                {
                    await ReadTableAsync(lease.Connection, $"{_options.Table} PARTITION ({string.Join(", ", periods)})", from, to, entries, cancellationToken).ConfigureAwait(false);
                }

                return entries;
            }

            foreach (string table in periods)
            {
                await ReadTableAsync(lease.Connection, table, from, to, entries, cancellationToken).ConfigureAwait(false); // periods are disjoint and in order
            }

            return entries;
        }
    }

    /// <summary>Stops the background maintenance; the pool stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }

        _maintaining.Dispose();
    }

    /// <summary>
    /// The periods to create, up to the last wanted one: on a new table from the current period; otherwise
    /// from the one after the newest (so partitions are added in ascending order, without gaps, and each name
    /// is the period it holds) — but none older than the retention keeps.
    /// </summary>
    private List<DateTimeOffset> PeriodsToCreate(IReadOnlyList<string> existing, List<DateTimeOffset> wanted, DateTimeOffset oldestKept)
    {
        DateTimeOffset first = wanted[0];
        if (existing.Count > 0)
        {
            DateTimeOffset next = NextPeriod(ParsePeriod(existing[^1]));
            first = next > oldestKept ? next : oldestKept;
        }

        var periods = new List<DateTimeOffset>();
        for (DateTimeOffset start = first; start <= wanted[^1]; start = NextPeriod(start))
        {
            periods.Add(start);
        }

        return periods;
    }

    private async Task MaintainMySqlAsync(DbConnection connection, IReadOnlyList<string> existing, List<DateTimeOffset> wanted, DateTimeOffset oldestKept, List<string> created, List<string> dropped, CancellationToken cancellationToken)
    {
        var definitions = new List<string>();
        foreach (DateTimeOffset start in PeriodsToCreate(existing, wanted, oldestKept))
        {
            definitions.Add($"PARTITION {PartitionOf(start)} VALUES LESS THAN ({NextPeriod(start).ToUnixTimeMilliseconds()})");
            created.Add(PartitionOf(start));
        }

        if (existing.Count == 0)
        {
            // The partition column must be in every unique key: the primary key is (entry_id, at).
            try
            {
                await connection.ScalarAsync(
                    $"CREATE TABLE {_options.Table} (entry_id BIGINT NOT NULL, player_id BIGINT NOT NULL, amount BIGINT NOT NULL, reason INT NOT NULL, at BIGINT NOT NULL, " +
                    $"PRIMARY KEY (entry_id, at), KEY ix_{_options.Table}_player (player_id, at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 " +
                    $"PARTITION BY RANGE (at) ({string.Join(", ", definitions)})", cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlException e) when (e.Number == TableExists)
            {
                throw new InvalidOperationException($"log \"{_options.Table}\" exists but is not partitioned by range: rename it, or create it through this class", e);
            }
        }
        else if (definitions.Count > 0)
        {
            await connection.ScalarAsync($"ALTER TABLE {_options.Table} ADD PARTITION ({string.Join(", ", definitions)})", cancellationToken).ConfigureAwait(false);
        }

        if (dropped.Count == existing.Count && created.Count == 0 && dropped.Count > 0)
        {
            dropped.RemoveAt(dropped.Count - 1); // a partitioned table keeps at least one partition
        }

        if (dropped.Count > 0)
        {
            await connection.ScalarAsync($"ALTER TABLE {_options.Table} DROP PARTITION {string.Join(", ", dropped)}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first instant of the period a partition or table name stands for.</summary>
    private DateTimeOffset ParsePeriod(string name)
    {
        string suffix = name[(name.Length - (_options.Period == PartitionPeriod.Daily ? 8 : 6))..];
        return DateTimeOffset.ParseExact(suffix, _options.Period == PartitionPeriod.Daily ? "yyyyMMdd" : "yyyyMM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    private async Task MaintainSqliteAsync(DbConnection connection, IReadOnlyList<string> existing, List<DateTimeOffset> wanted, DateTimeOffset oldestKept, List<string> created, List<string> dropped, CancellationToken cancellationToken)
    {
        var have = new HashSet<string>(existing, StringComparer.Ordinal);
        foreach (DateTimeOffset start in PeriodsToCreate(existing, wanted, oldestKept))
        {
            string table = PartitionOf(start);
            if (have.Add(table))
            {
                await connection.ScalarAsync(
                    $"CREATE TABLE IF NOT EXISTS {table} (entry_id INTEGER NOT NULL PRIMARY KEY, player_id INTEGER NOT NULL, amount INTEGER NOT NULL, reason INTEGER NOT NULL, at INTEGER NOT NULL)",
                    cancellationToken).ConfigureAwait(false);
                await connection.ScalarAsync($"CREATE INDEX IF NOT EXISTS ix_{table}_player ON {table} (player_id, at)", cancellationToken).ConfigureAwait(false);
                created.Add(table);
            }
        }

        foreach (string table in dropped)
        {
            await connection.ScalarAsync($"DROP TABLE IF EXISTS {table}", cancellationToken).ConfigureAwait(false);
            _appendByTable.TryRemove(table, out _);
        }
    }

    private async Task<IReadOnlyList<string>> ListOnAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            if (_mySql)
            {
                command.CommandText = "SELECT CONVERT(PARTITION_NAME USING utf8mb4) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @table AND PARTITION_NAME IS NOT NULL ORDER BY PARTITION_ORDINAL_POSITION";
                Add(command, "@table", _options.Table);
            }
            else
            {
                // '_' is a LIKE wildcard: escape it; the suffix is all digits.
                command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE @prefix ESCAPE '\\' ORDER BY name";
                Add(command, "@prefix", _options.Table.Replace("_", "\\_", StringComparison.Ordinal) + "\\_%");
            }

            var names = new List<string>();
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    string name = reader.GetString(0);
                    if (_mySql || name.AsSpan(_options.Table.Length + 1).ContainsAnyExceptInRange('0', '9') is false)
                    {
                        names.Add(name);
                    }
                }
            }

            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    private static async Task ReadTableAsync(DbConnection connection, string table, DateTimeOffset from, DateTimeOffset to, List<LogEntry> entries, CancellationToken cancellationToken)
    {
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = $"SELECT {Columns} FROM {table} WHERE at >= @from AND at < @to ORDER BY at, entry_id";
            Add(command, "@from", from.ToUnixTimeMilliseconds());
            Add(command, "@to", to.ToUnixTimeMilliseconds());
            DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    entries.Add(new LogEntry(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt64(4)));
                }
            }
        }
    }

    private static NamedQuery AppendQuery(string table)
    {
        string sql = $"INSERT INTO {table} ({Columns}) VALUES (@id, @player, @amount, @reason, @at)";
        return new NamedQuery($"partitioned_log.{table}.append", sql, sql, ["@id", "@player", "@amount", "@reason", "@at"]);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
