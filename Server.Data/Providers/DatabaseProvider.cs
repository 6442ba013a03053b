namespace Realm.Data.Providers;

/// <summary>Database engines the data tier talks to.</summary>
public enum DatabaseProvider
{
    /// <summary>Embedded SQLite file database (Microsoft.Data.Sqlite); the default when no MySQL is configured.</summary>
    Sqlite,

    /// <summary>MySQL or MariaDB server through MySql.Data 8.0.16, with the driver's own pooling turned off.</summary>
    MySql,
}
