using System.Data.Common;
using System.Globalization;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Data.Schema;

/// <summary>
/// The data tier's tables, per dialect, applied as numbered migrations recorded in <c>realm_schema</c>:
/// <c>players</c> (one row per player, with the fencing token of its last accepted save) and
/// <c>items</c> (owned by a player, ordered by <c>(created_at, item_id)</c> for keyset pages) and, in the
/// global database, <c>shard_directory</c> (key → logical shard, for directory routing).
/// </summary>
/// <remarks>
/// Idempotent and safe to run from several servers at once: on MySQL/MariaDB the migration runs under
/// <c>GET_LOCK</c>, on SQLite in one <c>BEGIN IMMEDIATE</c> transaction (SQLite's DDL is transactional).
/// </remarks>
public static class DataSchema
{
    /// <summary>The newest migration's number.</summary>
    public static int Version => Migrations.Length;

    private static readonly (string[] MySql, string[] Sqlite)[] Migrations =
    [
        (
            [
                """
                CREATE TABLE IF NOT EXISTS players (
                  player_id BIGINT NOT NULL PRIMARY KEY,
                  name VARCHAR(64) NOT NULL,
                  zone INT NOT NULL DEFAULT 0,
                  pos_x INT NOT NULL DEFAULT 0,
                  pos_y INT NOT NULL DEFAULT 0,
                  gold BIGINT NOT NULL DEFAULT 0,
                  fence BIGINT NOT NULL DEFAULT 0,
                  updated_at BIGINT NOT NULL
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """,
                """
                CREATE TABLE IF NOT EXISTS items (
                  item_id BIGINT NOT NULL PRIMARY KEY,
                  owner_id BIGINT NOT NULL,
                  kind INT NOT NULL,
                  quantity INT NOT NULL,
                  created_at BIGINT NOT NULL,
                  KEY ix_items_owner (owner_id),
                  KEY ix_items_created (created_at, item_id)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """,
            ],
            [
                """
                CREATE TABLE IF NOT EXISTS players (
                  player_id INTEGER NOT NULL PRIMARY KEY,
                  name TEXT NOT NULL,
                  zone INTEGER NOT NULL DEFAULT 0,
                  pos_x INTEGER NOT NULL DEFAULT 0,
                  pos_y INTEGER NOT NULL DEFAULT 0,
                  gold INTEGER NOT NULL DEFAULT 0,
                  fence INTEGER NOT NULL DEFAULT 0,
                  updated_at INTEGER NOT NULL
                )
                """,
                """
                CREATE TABLE IF NOT EXISTS items (
                  item_id INTEGER NOT NULL PRIMARY KEY,
                  owner_id INTEGER NOT NULL,
                  kind INTEGER NOT NULL,
                  quantity INTEGER NOT NULL,
                  created_at INTEGER NOT NULL
                )
                """,
                "CREATE INDEX IF NOT EXISTS ix_items_owner ON items (owner_id)",
                "CREATE INDEX IF NOT EXISTS ix_items_created ON items (created_at, item_id)",
            ]
        ),
        (
            [
                """
                CREATE TABLE IF NOT EXISTS shard_directory (
                  entity_key BIGINT NOT NULL PRIMARY KEY,
                  shard INT NOT NULL,
                  updated_at BIGINT NOT NULL
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
                """,
            ],
            [
                """
                CREATE TABLE IF NOT EXISTS shard_directory (
                  entity_key INTEGER NOT NULL PRIMARY KEY,
                  shard INTEGER NOT NULL,
                  updated_at INTEGER NOT NULL
                )
                """,
            ]
        ),
    ];

    /// <summary>Applies every migration newer than the database's recorded version; returns how many ran.</summary>
    /// <exception cref="DbException">A statement failed; the migration that failed is not recorded, so the next start retries it.</exception>
    public static async Task<int> ApplyAsync(ConnectionPool pool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        PooledConnection lease = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            DbConnection connection = lease.Connection;
            bool mySql = pool.Endpoint.Provider == DatabaseProvider.MySql;
            if (mySql)
            {
                // "IF NOT EXISTS" on an existing table raises a note; MySql.Data 8.0.16 then reads SHOW WARNINGS,
                // whose utf8mb3 columns it cannot decode on MariaDB 10.6+. Notes are off for this session's DDL.
                await connection.ScalarAsync("SET SESSION sql_notes = 0", cancellationToken).ConfigureAwait(false);
                object? locked = await connection.ScalarAsync("SELECT GET_LOCK('realm_schema', 30)", cancellationToken).ConfigureAwait(false);
                if (Convert.ToInt64(locked, CultureInfo.InvariantCulture) != 1)
                {
                    throw new TimeoutException($"pool \"{pool.Name}\": another server held the schema lock for 30 s");
                }
            }
            else
            {
                await connection.ScalarAsync("BEGIN IMMEDIATE", cancellationToken).ConfigureAwait(false);
            }

            bool done = false;
            try
            {
                await connection.ScalarAsync(mySql
                    ? "CREATE TABLE IF NOT EXISTS realm_schema (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL) ENGINE=InnoDB"
                    : "CREATE TABLE IF NOT EXISTS realm_schema (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
                int current = Convert.ToInt32(await connection.ScalarAsync("SELECT COALESCE(MAX(version), 0) FROM realm_schema", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                int applied = 0;
                for (int version = current + 1; version <= Migrations.Length; version++)
                {
                    foreach (string statement in mySql ? Migrations[version - 1].MySql : Migrations[version - 1].Sqlite)
                    {
                        await connection.ScalarAsync(statement, cancellationToken).ConfigureAwait(false);
                    }

                    long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    await connection.ScalarAsync(string.Create(CultureInfo.InvariantCulture, $"INSERT INTO realm_schema (version, applied_at) VALUES ({version}, {now})"), cancellationToken).ConfigureAwait(false);
                    applied++;
                }

                done = true;
                return applied;
            }
            catch
            {
                lease.MarkBroken(); // the lock or transaction state is unknown: do not hand this connection on
                throw;
            }
            finally
            {
                if (done)
                {
                    await connection.ScalarAsync(mySql ? "DO RELEASE_LOCK('realm_schema')" : "COMMIT", CancellationToken.None).ConfigureAwait(false);
                    if (mySql)
                    {
                        await connection.ScalarAsync("SET SESSION sql_notes = 1", CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }
        }
    }
}
