using System.Data.Common;

namespace Realm.Data.Providers;

/// <summary>The one-statement helpers the data tier uses for its own housekeeping SQL (pings, schema, settings).</summary>
public static class DbCommands
{
    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/> and returns the first column of the first row (null when none).</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The statement.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <param name="timeoutSeconds">The command timeout; null keeps the driver's default.</param>
    public static async Task<object?> ScalarAsync(this DbConnection connection, string sql, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        DbCommand command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            if (timeoutSeconds is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True for the errors that mean a database or connection did not work — the driver's
    /// <see cref="DbException"/>, a connection in the wrong state, a network or file error, a timeout, or a
    /// refused folder — as opposed to a bug in the caller.
    /// </summary>
    public static bool IsConnectionFailure(Exception error) =>
        error is DbException or InvalidOperationException or IOException or TimeoutException or UnauthorizedAccessException;
}
