using System.Globalization;
using System.Net;

namespace Realm.Data.Coordination;

/// <summary>
/// A parsed, validated list of independent Redis servers (<c>host:port,host:port,…</c>). Redlock needs
/// three or more independent masters; a single entry is enough for single-instance locks.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class RedisEndpointList
{
    private RedisEndpointList(IReadOnlyList<DnsEndPoint> endpoints) => Endpoints = endpoints;

    /// <summary>The servers, in the order given.</summary>
    public IReadOnlyList<DnsEndPoint> Endpoints { get; }

    /// <summary>
    /// Parses a comma-separated <c>host:port</c> list. Hosts may be names, IPv4 or bracketed IPv6
    /// (<c>[::1]:6379</c>). Duplicates are rejected: two entries for one server are not independent.
    /// </summary>
    /// <param name="text">The list, as written in configuration or <c>REALM_TEST_REDIS</c>.</param>
    /// <param name="list">The parsed list, when the method returns <see langword="true"/>.</param>
    /// <param name="error">What is wrong, when the method returns <see langword="false"/>.</param>
    public static bool TryParse(string? text, out RedisEndpointList? list, out string? error)
    {
        list = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the list is empty; expected host:port[,host:port…]";
            return false;
        }

        var endpoints = new List<DnsEndPoint>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseOne(part, out DnsEndPoint? endpoint))
            {
                error = $"\"{part}\" is not host:port with a port from 1 to 65535";
                return false;
            }

            if (!seen.Add($"{endpoint.Host}:{endpoint.Port}"))
            {
                error = $"\"{part}\" appears twice; every entry must be a separate server";
                return false;
            }

            endpoints.Add(endpoint);
        }

        if (endpoints.Count == 0)
        {
            error = "the list is empty; expected host:port[,host:port…]";
            return false;
        }

        list = new RedisEndpointList(endpoints);
        error = null;
        return true;
    }

    /// <summary>Formats one endpoint as StackExchange.Redis configuration expects it.</summary>
    public static string Format(DnsEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Host.Contains(':', StringComparison.Ordinal)
            ? $"[{endpoint.Host}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endpoint.Host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(",", Endpoints.Select(Format));

    private static bool TryParseOne(string part, out DnsEndPoint endpoint)
    {
        endpoint = null!;
        string host;
        string port;
        if (part.StartsWith('['))
        {
            int close = part.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= part.Length || part[close + 1] != ':')
            {
                return false;
            }

            host = part[1..close];
            port = part[(close + 2)..];
            if (!IPAddress.TryParse(host, out _))
            {
                return false;
            }
        }
        else
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || part.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false;
            }

            host = part[..colon];
            port = part[(colon + 1)..];
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
        {
            return false;
        }

        endpoint = new DnsEndPoint(host, number);
        return true;
    }
}
