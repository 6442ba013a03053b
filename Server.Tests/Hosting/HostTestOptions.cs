using Microsoft.Extensions.Configuration;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Tests.Hosting;

/// <summary>Builds validated options the way the server does, for a host on a kernel-chosen port.</summary>
internal static class HostTestOptions
{
    public static RealmOptions Create(string folder, params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Network:Port"] = "0",
            ["Storage:SqlitePath"] = Path.Combine(folder, "data", "realm.db"),
        };
        foreach ((string key, string value) in overrides)
        {
            values[key] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        Assert.That(RealmOptions.TryRead(configuration, out RealmOptions options, out var errors), Is.True, string.Join("; ", errors));
        return options;
    }
}
