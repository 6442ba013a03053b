using System.Data.Common;
using System.Text.RegularExpressions;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Data.Queries;

/// <summary>
/// The named SQL statements of an application, declared once with their SQL for each dialect
/// (MySQL/MariaDB and SQLite). Everything that can be wrong is found at start-up: a duplicate or
/// malformed declaration when it is added, a missing dialect in <see cref="Validate"/>, an unknown name
/// in <see cref="Get"/> (which components call when they are built, not per use), and SQL the database
/// rejects in <see cref="PrepareAllAsync"/>.
/// </summary>
/// <remarks>Declare and validate on one thread at start-up; after <see cref="Validate"/> the catalog is frozen and safe to share.</remarks>
public sealed partial class QueryCatalog
{
    private readonly Dictionary<string, NamedQuery> _byName = new(StringComparer.Ordinal);
    private readonly List<NamedQuery> _queries = [];
    private volatile bool _frozen;

    /// <summary>Every declared query, in declaration order.</summary>
    public IReadOnlyList<NamedQuery> Queries => _queries;

    /// <summary>True once <see cref="Validate"/> has passed: no more declarations.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>Declares a query.</summary>
    /// <param name="name">Unique name: letters, digits, <c>.</c>, <c>_</c> and <c>-</c> (for example <c>player.load</c>).</param>
    /// <param name="mySql">The MySQL/MariaDB SQL, or null when the query is not used on MySQL.</param>
    /// <param name="sqlite">The SQLite SQL, or null when the query is not used on SQLite.</param>
    /// <param name="parameters">Parameter names with their <c>@</c>, in binding order; each must occur in every declared SQL.</param>
    /// <exception cref="QueryCatalogException">The name is taken or malformed, no SQL is given, or a parameter is missing from the SQL.</exception>
    /// <exception cref="InvalidOperationException">The catalog is frozen.</exception>
    public NamedQuery Add(string name, string? mySql, string? sqlite, params string[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_frozen)
        {
            throw new InvalidOperationException($"query \"{name}\": the catalog is frozen (Validate has run); declare every query before start-up ends");
        }

        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new QueryCatalogException($"query name \"{name}\" is not allowed: letters, digits, '.', '_' and '-' only");
        }

        if (_byName.ContainsKey(name))
        {
            throw new QueryCatalogException($"query \"{name}\" is declared twice");
        }

        if (string.IsNullOrWhiteSpace(mySql) && string.IsNullOrWhiteSpace(sqlite))
        {
            throw new QueryCatalogException($"query \"{name}\" has no SQL for any dialect");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string parameter in parameters)
        {
            if (parameter is null || !ParameterPattern().IsMatch(parameter))
            {
                throw new QueryCatalogException($"query \"{name}\": parameter \"{parameter}\" is not allowed: '@' then letters, digits and '_'");
            }

            if (!seen.Add(parameter))
            {
                throw new QueryCatalogException($"query \"{name}\": parameter {parameter} is declared twice");
            }

            CheckUses(name, "MySql", mySql, parameter);
            CheckUses(name, "Sqlite", sqlite, parameter);
        }

        var query = new NamedQuery(name, Blank(mySql), Blank(sqlite), [.. parameters]);
        _byName.Add(name, query);
        _queries.Add(query);
        return query;
    }

    /// <summary>The query named <paramref name="name"/>.</summary>
    /// <exception cref="QueryCatalogException">No such query; the message lists the closest names.</exception>
    public NamedQuery Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out NamedQuery? query))
        {
            return query;
        }

        string[] near = [.. _queries.Select(q => q.Name).Where(n => Shares(n, name)).Take(5)];
        throw new QueryCatalogException(near.Length > 0
            ? $"unknown query \"{name}\"; did you mean {string.Join(", ", near)}?"
            : $"unknown query \"{name}\"; the catalog declares {_queries.Count} queries");
    }

    /// <summary>The query named <paramref name="name"/>, or false.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NamedQuery? query) => _byName.TryGetValue(name, out query);

    /// <summary>
    /// Checks that every query has SQL for every dialect in <paramref name="providers"/> (those of the
    /// configured pools), then freezes the catalog.
    /// </summary>
    /// <exception cref="QueryCatalogException">Some queries lack a dialect in use; the message lists them all.</exception>
    public void Validate(params IEnumerable<DatabaseProvider> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var missing = new List<string>();
        foreach (DatabaseProvider provider in providers.Distinct())
        {
            missing.AddRange(_queries.Where(q => !q.Supports(provider)).Select(q => $"\"{q.Name}\" has no {provider} SQL"));
        }

        if (missing.Count > 0)
        {
            throw new QueryCatalogException($"query catalog: {missing.Count} queries lack a dialect in use: {string.Join("; ", missing)}");
        }

        _frozen = true;
    }

    /// <summary>
    /// Prepares every query on one connection of <paramref name="pool"/>, so SQL that the database rejects
    /// (a typo, a missing table or column) stops start-up. Run it after the schema is applied.
    /// </summary>
    /// <exception cref="QueryCatalogException">A statement does not prepare; the message names the query and quotes the database.</exception>
    public async Task PrepareAllAsync(ConnectionPool pool, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        PooledConnection lease = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            foreach (NamedQuery query in _queries)
            {
                try
                {
                    await PrepareCheckAsync(lease.Connection, pool.Endpoint.Provider, query, cancellationToken).ConfigureAwait(false);
                }
                catch (DbException e)
                {
                    throw new QueryCatalogException($"query \"{query.Name}\" does not prepare on pool \"{pool.Name}\" ({pool.Endpoint.Provider}): {e.Message}", e);
                }
            }
        }
    }

    /// <summary>
    /// SQLite: compiles the statement (<c>sqlite3_prepare</c>). MySQL/MariaDB: MySql.Data 8.0.16's binary
    /// protocol misreads MariaDB 10.6+'s statement metadata (utf8mb3 parameter definitions), so instead the
    /// server parses it through SQL-level <c>PREPARE … FROM</c>, with every declared parameter as a <c>?</c>
    /// placeholder (valid wherever a value is, <c>LIMIT</c> included, as the driver's client-side binding
    /// sends a literal there); both answers are plain OK packets, and the statement is dropped again.
    /// </summary>
    private static async Task PrepareCheckAsync(DbConnection connection, DatabaseProvider provider, NamedQuery query, CancellationToken cancellationToken)
    {
        if (provider == DatabaseProvider.MySql)
        {
            DbCommand check = connection.CreateCommand();
            await using (check.ConfigureAwait(false))
            {
                check.CommandText = "PREPARE realm_catalog_check FROM @sql; DEALLOCATE PREPARE realm_catalog_check";
                DbParameter sql = check.CreateParameter();
                sql.ParameterName = "@sql";
                string text = query.Sql(provider)!;
                foreach (string parameter in query.Parameters)
                {
                    text = Regex.Replace(text, Regex.Escape(parameter) + "(?![A-Za-z0-9_])", "?", RegexOptions.CultureInvariant);
                }

                sql.Value = text;
                check.Parameters.Add(sql);
                await check.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        DbCommand command = query.CreateCommand(connection, provider);
        await using (command.ConfigureAwait(false))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void CheckUses(string name, string dialect, string? sql, string parameter)
    {
        if (!string.IsNullOrWhiteSpace(sql) && !Regex.IsMatch(sql, Regex.Escape(parameter) + @"(?![A-Za-z0-9_])", RegexOptions.CultureInvariant))
        {
            throw new QueryCatalogException($"query \"{name}\": parameter {parameter} does not occur in its {dialect} SQL");
        }
    }

    private static string? Blank(string? sql) => string.IsNullOrWhiteSpace(sql) ? null : sql;

    /// <summary>Names that share a dotted part or a prefix with the one asked for, as suggestions.</summary>
    private static bool Shares(string candidate, string asked) =>
        candidate.Split('.').Intersect(asked.Split('.'), StringComparer.OrdinalIgnoreCase).Any()
        || candidate.StartsWith(asked[..Math.Min(asked.Length, 3)], StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^@[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();
}
