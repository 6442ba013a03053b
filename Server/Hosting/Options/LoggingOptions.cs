using Microsoft.Extensions.Logging;

namespace Realm.Server.Hosting.Options;

/// <summary>Console logging (configuration section <c>Logging</c>).</summary>
internal sealed class LoggingOptions
{
    /// <summary>Lowest level written. Default Information. Risk: Trace and Debug are verbose under load.</summary>
    public LogLevel Level { get; init; } = LogLevel.Information;

    internal static LoggingOptions Read(OptionReader reader) => new()
    {
        Level = reader.Enum(nameof(Level), LogLevel.Information),
    };
}
