using Realm.Data.Providers;

namespace Realm.Data.Queries;

/// <summary>
/// One statement of a <see cref="QueryCatalog"/>: its name, its SQL per dialect, its parameters (named
/// <c>@name</c> in the SQL, bound by position or name) and its statistics. Resolve it once, at start-up,
/// with <see cref="QueryCatalog.Get"/>; execute it with <see cref="Pooling.PooledConnection.Command"/>.
/// </summary>
public sealed class NamedQuery
{
    private readonly string? _mySql;
    private readonly string? _sqlite;
    private readonly string[] _parameters;

    internal NamedQuery(string name, string? mySql, string? sqlite, string[] parameters)
    {
        Name = name;
        _mySql = mySql;
        _sqlite = sqlite;
        _parameters = parameters;
    }

    /// <summary>The query's name (for example <c>player.load</c>).</summary>
    public string Name { get; }

    /// <summary>Parameter names in binding order, each with its <c>@</c>.</summary>
    public IReadOnlyList<string> Parameters => _parameters;

    /// <summary>Executions, errors and latency.</summary>
    public QueryStatistics Statistics { get; } = new();

    /// <summary>True when SQL is declared for <paramref name="provider"/>.</summary>
    public bool Supports(DatabaseProvider provider) => SqlOrNull(provider) is not null;

    /// <summary>The SQL for <paramref name="provider"/>.</summary>
    /// <exception cref="QueryCatalogException">No SQL is declared for that dialect.</exception>
    public string Sql(DatabaseProvider provider) =>
        SqlOrNull(provider) ?? throw new QueryCatalogException($"query \"{Name}\" has no {provider} SQL");

    /// <summary>The position of parameter <paramref name="name"/> (with or without its <c>@</c>).</summary>
    /// <exception cref="ArgumentException">The query has no such parameter.</exception>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (string.Equals(_parameters[i], name, StringComparison.Ordinal)
                || (name.Length == _parameters[i].Length - 1 && _parameters[i].AsSpan(1).SequenceEqual(name)))
            {
                return i;
            }
        }

        throw new ArgumentException($"query \"{Name}\" has no parameter \"{name}\"; it has {string.Join(", ", _parameters)}", nameof(name));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>A new command on <paramref name="connection"/> with this query's SQL and one NULL-bound parameter per declared name.</summary>
    internal System.Data.Common.DbCommand CreateCommand(System.Data.Common.DbConnection connection, DatabaseProvider provider)
    {
        string sql = Sql(provider); // throws before anything is created when the dialect is missing
        System.Data.Common.DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (string name in _parameters)
        {
            System.Data.Common.DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private string? SqlOrNull(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.MySql => _mySql,
        DatabaseProvider.Sqlite => _sqlite,
        _ => null,
    };
}
