using System.Data.Common;
using Microsoft.Data.Sqlite;
using MySql.Data.MySqlClient;

namespace Realm.Data.Providers;

/// <summary>
/// A validated way to reach one database: the provider, its <see cref="DbProviderFactory"/> and a
/// normalized connection string. Created only through the <c>TryCreate*</c> methods, which explain
/// what is wrong instead of throwing on bad input.
/// </summary>
/// <remarks>Immutable and thread-safe. Each <see cref="OpenAsync"/> opens a new physical connection;
/// pooling is the data tier's job, so the MySQL driver's pool is always turned off (it pings the server
/// on every pooled open).</remarks>
public sealed class DatabaseEndpoint
{
    private DatabaseEndpoint(DatabaseProvider provider, DbProviderFactory factory, string connectionString, string displayName)
    {
        Provider = provider;
        Factory = factory;
        ConnectionString = connectionString;
        DisplayName = displayName;
    }

    /// <summary>The database engine.</summary>
    public DatabaseProvider Provider { get; }

    /// <summary>The ADO.NET factory for <see cref="Provider"/>.</summary>
    public DbProviderFactory Factory { get; }

    /// <summary>Normalized connection string (contains the password for MySQL: never log it).</summary>
    public string ConnectionString { get; }

    /// <summary>Where the database is, without credentials: a file path or <c>user@host:port/database</c>.</summary>
    public string DisplayName { get; }

    /// <summary>
    /// Describes a SQLite file database at <paramref name="path"/>. Nothing is touched on disk here:
    /// <see cref="OpenAsync"/> creates the folder, so validating options has no side effects.
    /// </summary>
    /// <param name="path">File path, absolute or relative to the current directory.</param>
    /// <param name="endpoint">The endpoint, when the method returns <see langword="true"/>.</param>
    /// <param name="error">Why the path cannot be used, when the method returns <see langword="false"/>.</param>
    public static bool TryCreateSqlite(string path, out DatabaseEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(path))
        {
            error = "the SQLite path is empty";
            return false;
        }

        string fullPath;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            error = $"not a usable file path: {e.Message}";
            return false;
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        endpoint = new DatabaseEndpoint(DatabaseProvider.Sqlite, SqliteFactory.Instance, builder.ToString(), fullPath);
        error = null;
        return true;
    }

    /// <summary>
    /// Describes a MySQL/MariaDB server from an ADO.NET connection string, with driver pooling forced off.
    /// </summary>
    /// <param name="connectionString">For example <c>Server=127.0.0.1;Port=3306;User ID=realm;Password=…;Database=realm</c>.</param>
    /// <param name="endpoint">The endpoint, when the method returns <see langword="true"/>.</param>
    /// <param name="error">Why the connection string is unusable, when the method returns <see langword="false"/>.</param>
    public static bool TryCreateMySql(string connectionString, out DatabaseEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        MySqlConnectionStringBuilder builder;
        try
        {
            builder = new MySqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            error = $"not a valid MySQL connection string: {e.Message}";
            return false;
        }

        if (string.IsNullOrWhiteSpace(builder.Server))
        {
            error = "the MySQL connection string names no Server";
            return false;
        }

        builder.Pooling = false;
        string display = $"{builder.UserID}@{builder.Server}:{builder.Port}/{builder.Database}";
        endpoint = new DatabaseEndpoint(DatabaseProvider.MySql, MySqlClientFactory.Instance, builder.ConnectionString, display);
        error = null;
        return true;
    }

    /// <summary>
    /// Opens a new physical connection; for SQLite, first creates the file's folder when it is missing.
    /// The caller owns and disposes the connection.
    /// </summary>
    /// <exception cref="DbException">The database cannot be reached or refused the login.</exception>
    /// <exception cref="IOException">The SQLite folder cannot be created (for example, a file is in the way).</exception>
    /// <exception cref="UnauthorizedAccessException">The SQLite folder cannot be created for lack of permission.</exception>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (Provider == DatabaseProvider.Sqlite && System.IO.Path.GetDirectoryName(DisplayName) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        DbConnection connection = Factory.CreateConnection()
            ?? throw new InvalidOperationException($"{Provider} factory returned no connection");
        connection.ConnectionString = ConnectionString;
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Asks the open <paramref name="connection"/> for the engine's version string.</summary>
    public async Task<string> QueryServerVersionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // MySql.Data 8.0.16 cannot decode the metadata of MariaDB 10.10+'s own utf8mb3 strings
        // (VERSION(), @@version, @@last_gtid): it throws KeyNotFoundException and leaves the connection
        // out of step. An explicit utf8mb4 cast gives it a column it understands.
        string sql = Provider == DatabaseProvider.Sqlite ? "SELECT sqlite_version()" : "SELECT CAST(VERSION() AS CHAR CHARACTER SET utf8mb4)";
        object? result = await connection.ScalarAsync(sql, cancellationToken).ConfigureAwait(false);
        return Convert.ToString(result, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Provider} {DisplayName}";
}
