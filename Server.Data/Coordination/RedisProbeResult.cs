namespace Realm.Data.Coordination;

/// <summary>What <see cref="RedisProbe.PingAsync"/> learned about one Redis server.</summary>
/// <param name="RoundTrip">Time the <c>PING</c> took.</param>
/// <param name="ServerVersion">The server's version, as reported at connect.</param>
public readonly record struct RedisProbeResult(TimeSpan RoundTrip, string ServerVersion);
