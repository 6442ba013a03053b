using Microsoft.Extensions.Configuration;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Server.Hosting.Options;

/// <summary>
/// The named connection pools (configuration section <c>Pools</c>, one subsection per pool, e.g.
/// <c>Pools:shard_0:MaxSize</c>) and the health checks (<c>Pools:HealthIntervalMs</c>,
/// <c>Pools:HealthPingTimeoutMs</c>). A pool without its own <c>Provider</c> uses the database of the
/// <c>Storage</c> section; the pool named <see cref="MainPool"/> always exists (created with default
/// settings when not configured) and is the server's own database.
/// </summary>
internal sealed class PoolsOptions
{
    /// <summary>The server's own database pool.</summary>
    public const string MainPool = "main";

    private static readonly string[] SettingKeys = ["HealthIntervalMs", "HealthPingTimeoutMs"];

    public IReadOnlyList<PoolDefinition> Definitions { get; init; } = [];

    public HealthMonitorOptions Health { get; init; } = new();

    internal static PoolsOptions Read(IConfigurationSection section, StorageOptions storage, List<OptionError> errors)
    {
        var settings = new OptionReader(section, errors);
        int interval = settings.Int32("HealthIntervalMs", 2000, 10, 3_600_000);
        int pingTimeout = settings.Int32("HealthPingTimeoutMs", 1000, 10, 60_000);

        var definitions = new List<PoolDefinition>();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (Array.Exists(SettingKeys, k => string.Equals(k, child.Key, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (child.Value is not null)
            {
                errors.Add(new OptionError(child.Path, child.Value, $"a pool subsection (e.g. {section.Path}:{child.Key}:MaxSize) or one of {string.Join(", ", SettingKeys)}"));
                continue;
            }

            var reader = new OptionReader(child, errors);
            PoolDefinition? definition = ReadPool(child.Key, reader, storage);
            reader.RejectUnknownKeys();
            if (definition is not null)
            {
                foreach (string problem in definition.Options.Validate())
                {
                    errors.Add(new OptionError(child.Path, null, problem));
                }

                definitions.Add(definition);
            }
        }

        if (!definitions.Exists(d => string.Equals(d.Name, MainPool, StringComparison.Ordinal)) && storage.Endpoint is not null)
        {
            definitions.Insert(0, new PoolDefinition(MainPool, storage.Endpoint, new ConnectionPoolOptions()));
        }

        return new PoolsOptions
        {
            Definitions = definitions,
            Health = new HealthMonitorOptions { Interval = TimeSpan.FromMilliseconds(interval), PingTimeout = TimeSpan.FromMilliseconds(pingTimeout) },
        };
    }

    private static PoolDefinition? ReadPool(string name, OptionReader reader, StorageOptions storage)
    {
        if (!PoolRegistry.IsValidName(name))
        {
            reader.Fail(string.Empty, name, "a pool name of letters, digits and '_' only");
        }

        var defaults = new ConnectionPoolOptions();
        var options = new ConnectionPoolOptions
        {
            MinSize = reader.Int32("MinSize", defaults.MinSize, 0, 4096),
            MaxSize = reader.Int32("MaxSize", defaults.MaxSize, 1, 4096),
            AcquireTimeout = Milliseconds(reader, "AcquireTimeoutMs", defaults.AcquireTimeout, 1, 600_000),
            ValidationIdleThreshold = Milliseconds(reader, "ValidationIdleMs", defaults.ValidationIdleThreshold, 0, 3_600_000),
            MaxLifetime = OrOff(TimeSpan.FromSeconds(reader.Int32("MaxLifetimeSeconds", (int)(defaults.MaxLifetime ?? TimeSpan.Zero).TotalSeconds, 0, 86_400))),
            LeakDetectionThreshold = OrOff(Milliseconds(reader, "LeakDetectionMs", defaults.LeakDetectionThreshold ?? TimeSpan.Zero, 0, 3_600_000)),
            BreakerFailureThreshold = reader.Int32("BreakerFailures", defaults.BreakerFailureThreshold, 1, 1000),
            BreakerCooldown = Milliseconds(reader, "BreakerCooldownMs", defaults.BreakerCooldown, 1, 600_000),
        };

        // The database: this pool's own (read as the Storage section reads it), or the Storage section's.
        string providerText = reader.Text("Provider", string.Empty, allowEmpty: true);
        string sqlitePath = reader.Text("SqlitePath", string.Empty, allowEmpty: true);
        string mySql = reader.Text("MySqlConnectionString", string.Empty, allowEmpty: true);
        if (providerText.Length == 0)
        {
            if (sqlitePath.Length > 0 || mySql.Length > 0)
            {
                reader.Fail("Provider", null, "required when the pool names its own database (Sqlite or MySql)");
            }

            return storage.Endpoint is null ? null : new PoolDefinition(name, storage.Endpoint, options);
        }

        DatabaseProvider provider = reader.Enum("Provider", DatabaseProvider.Sqlite);
        DatabaseEndpoint? endpoint = StorageOptions.ReadEndpoint(reader, provider, sqlitePath, mySql);
        return endpoint is null ? null : new PoolDefinition(name, endpoint, options);
    }

    private static TimeSpan Milliseconds(OptionReader reader, string key, TimeSpan defaultValue, int min, int max) =>
        TimeSpan.FromMilliseconds(reader.Int32(key, (int)defaultValue.TotalMilliseconds, min, max));

    /// <summary>Zero in the configuration means "off" for the optional limits.</summary>
    private static TimeSpan? OrOff(TimeSpan value) => value > TimeSpan.Zero ? value : null;
}
