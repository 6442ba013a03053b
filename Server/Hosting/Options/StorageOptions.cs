using Realm.Data.Providers;

namespace Realm.Server.Hosting.Options;

/// <summary>Where player state lives (configuration section <c>Storage</c>).</summary>
internal sealed class StorageOptions
{
    /// <summary>Default SQLite file, relative to the working directory (<c>run.sh</c> runs from the repository root).</summary>
    public const string DefaultSqlitePath = "data/realm.db";

    /// <summary>Database engine. Default <see cref="DatabaseProvider.Sqlite"/> (embedded, no server needed).</summary>
    public DatabaseProvider Provider { get; init; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite file path, used when <see cref="Provider"/> is Sqlite. Default <c>data/realm.db</c>; the folder is created at start.</summary>
    public string SqlitePath { get; init; } = DefaultSqlitePath;

    /// <summary>
    /// MySQL/MariaDB connection string, required when <see cref="Provider"/> is MySql. No default. The
    /// driver's own pooling is always turned off (Realm pools connections itself). Risk: it holds a
    /// password; prefer the environment variable <c>REALM__STORAGE__MYSQLCONNECTIONSTRING</c> to a file.
    /// </summary>
    public string MySqlConnectionString { get; init; } = string.Empty;

    /// <summary>The validated endpoint built from the options above.</summary>
    public DatabaseEndpoint Endpoint { get; init; } = null!;

    /// <summary>
    /// The endpoint for <paramref name="provider"/> from the path or connection string read from
    /// <paramref name="reader"/>'s section (<c>Storage</c> or a pool's); null, with the error recorded, when unusable.
    /// </summary>
    internal static DatabaseEndpoint? ReadEndpoint(OptionReader reader, DatabaseProvider provider, string sqlitePath, string mySql)
    {
        DatabaseEndpoint? endpoint = null;
        string? error;
        if (provider == DatabaseProvider.Sqlite)
        {
            if (!DatabaseEndpoint.TryCreateSqlite(sqlitePath, out endpoint, out error))
            {
                reader.Fail(nameof(SqlitePath), sqlitePath, $"a file path ({error})");
            }
        }
        else if (mySql.Length == 0)
        {
            reader.Fail(nameof(MySqlConnectionString), null, $"required when {reader.Path}:Provider is MySql, e.g. Server=127.0.0.1;Port=3306;User ID=realm;Password=...;Database=realm");
        }
        else if (!DatabaseEndpoint.TryCreateMySql(mySql, out endpoint, out error))
        {
            // The value holds a password: name the key and the problem, never echo the value.
            reader.Fail(nameof(MySqlConnectionString), "(hidden)", $"a MySQL connection string ({error})");
        }

        return endpoint;
    }

    internal static StorageOptions Read(OptionReader reader)
    {
        DatabaseProvider provider = reader.Enum(nameof(Provider), DatabaseProvider.Sqlite);
        string sqlitePath = reader.Text(nameof(SqlitePath), DefaultSqlitePath, allowEmpty: false);
        string mySql = reader.Text(nameof(MySqlConnectionString), string.Empty, allowEmpty: true);

        DatabaseEndpoint? endpoint = ReadEndpoint(reader, provider, sqlitePath, mySql);

        return new StorageOptions
        {
            Provider = provider,
            SqlitePath = sqlitePath,
            MySqlConnectionString = mySql,
            Endpoint = endpoint!,
        };
    }
}
