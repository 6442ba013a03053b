using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Realm.Server.Hosting.Options;

/// <summary>
/// Reads one configuration section into typed values, collecting an <see cref="OptionError"/> for
/// every value that does not parse or is out of range, and for every key the section does not know
/// (a typo such as <c>Network:Prot</c> must stop start-up, not be silently ignored).
/// </summary>
/// <remarks>Start-up only; not thread-safe. No reflection: each option states its own type and range.</remarks>
internal sealed class OptionReader
{
    private readonly IConfigurationSection _section;
    private readonly List<OptionError> _errors;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    public OptionReader(IConfigurationSection section, List<OptionError> errors)
    {
        _section = section;
        _errors = errors;
    }

    public string Path => _section.Path;

    public int Int32(string name, int defaultValue, int min, int max)
    {
        string? raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        Fail(name, raw, $"a whole number from {min} to {max} (default {defaultValue})");
        return defaultValue;
    }

    public TEnum Enum<TEnum>(string name, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        string? raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        // Names only: Enum.TryParse also accepts numbers, which would let "7" through as a level.
        foreach (TEnum candidate in System.Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), raw.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        Fail(name, raw, $"one of {string.Join(", ", System.Enum.GetNames<TEnum>())} (default {defaultValue})");
        return defaultValue;
    }

    public IPAddress Address(string name, IPAddress defaultValue)
    {
        string? raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        if (IPAddress.TryParse(raw.Trim(), out IPAddress? address))
        {
            return address;
        }

        Fail(name, raw, $"an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1 (default {defaultValue})");
        return defaultValue;
    }

    public string Text(string name, string defaultValue, bool allowEmpty)
    {
        string? raw = Raw(name);
        if (raw is null)
        {
            return defaultValue;
        }

        if (!allowEmpty && string.IsNullOrWhiteSpace(raw))
        {
            Fail(name, raw, $"a non-empty value (default \"{defaultValue}\")");
            return defaultValue;
        }

        return raw.Trim();
    }

    public void Fail(string name, string? raw, string allowed) => _errors.Add(new OptionError(Key(name), raw, allowed));

    /// <summary>A subsection the caller reads itself (one key per entry); known from now on.</summary>
    public IConfigurationSection Section(string name)
    {
        _known.Add(name);
        return _section.GetSection(name);
    }

    /// <summary>Reports every key in the section that no read asked for.</summary>
    public void RejectUnknownKeys()
    {
        foreach (IConfigurationSection child in _section.GetChildren())
        {
            if (!_known.Contains(child.Key))
            {
                _errors.Add(new OptionError(
                    child.Path,
                    child.Value,
                    $"not a known option; {_section.Path} accepts {string.Join(", ", _known)}"));
            }
        }
    }

    private string Key(string name) => $"{_section.Path}:{name}";

    private string? Raw(string name)
    {
        _known.Add(name);
        IConfigurationSection child = _section.GetSection(name);
        if (child.Value is null && child.GetChildren().Any())
        {
            Fail(name, null, "a single value, not a section");
            return null;
        }

        return child.Value;
    }
}
