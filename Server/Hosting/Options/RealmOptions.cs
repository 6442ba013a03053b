using Microsoft.Extensions.Configuration;

namespace Realm.Server.Hosting.Options;

/// <summary>
/// Every option of the server, read and validated at start. Sources, later ones winning:
/// <c>appsettings.json</c> beside the server, environment variables <c>REALM__SECTION__KEY</c>, and
/// command-line switches (<c>--Section:Key=value</c>, or the short forms in <see cref="RealmConfiguration"/>).
/// </summary>
internal sealed class RealmOptions
{
    private static readonly string[] Sections = ["Network", "Game", "Storage", "Pools", "Shards", "Coordination", "Logging"];

    public NetworkOptions Network { get; init; } = new();

    public GameOptions Game { get; init; } = new();

    public StorageOptions Storage { get; init; } = new();

    public PoolsOptions Pools { get; init; } = new();

    public ShardsOptions Shards { get; init; } = new();

    public CoordinationOptions Coordination { get; init; } = new();

    public LoggingOptions Logging { get; init; } = new();

    /// <summary>Reads and validates every option; returns false with one error per bad value.</summary>
    public static bool TryRead(IConfiguration configuration, out RealmOptions options, out IReadOnlyList<OptionError> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<OptionError>();
        var network = new OptionReader(configuration.GetSection("Network"), found);
        var game = new OptionReader(configuration.GetSection("Game"), found);
        var storage = new OptionReader(configuration.GetSection("Storage"), found);
        var coordination = new OptionReader(configuration.GetSection("Coordination"), found);
        var logging = new OptionReader(configuration.GetSection("Logging"), found);
        var shards = new OptionReader(configuration.GetSection("Shards"), found);

        StorageOptions storageOptions = StorageOptions.Read(storage);
        PoolsOptions poolsOptions = PoolsOptions.Read(configuration.GetSection("Pools"), storageOptions, found);
        options = new RealmOptions
        {
            Network = NetworkOptions.Read(network),
            Game = GameOptions.Read(game),
            Storage = storageOptions,
            Pools = poolsOptions,
            Shards = ShardsOptions.Read(shards, poolsOptions, found),
            Coordination = CoordinationOptions.Read(coordination),
            Logging = LoggingOptions.Read(logging),
        };

        network.RejectUnknownKeys();
        game.RejectUnknownKeys();
        storage.RejectUnknownKeys();
        coordination.RejectUnknownKeys();
        logging.RejectUnknownKeys();
        shards.RejectUnknownKeys();
        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            if (Array.FindIndex(Sections, s => string.Equals(s, section.Key, StringComparison.OrdinalIgnoreCase)) < 0)
            {
                found.Add(new OptionError(section.Path, section.Value, $"not a known section; known sections are {string.Join(", ", Sections)}"));
            }
        }

        errors = found;
        return found.Count == 0;
    }
}
