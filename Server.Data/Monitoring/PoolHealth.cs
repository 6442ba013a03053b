namespace Realm.Data.Monitoring;

/// <summary>One pool's health as last checked.</summary>
/// <param name="State">The conclusion.</param>
/// <param name="ConsecutiveFailures">Failed pings in a row (0 after a success).</param>
/// <param name="LastPingLatency">How long the last successful ping took, waiting for a connection included.</param>
/// <param name="Checks">Pings run since the monitor started.</param>
/// <param name="LastError">The last failed ping's error message (null after a success).</param>
public readonly record struct PoolHealth(HealthState State, int ConsecutiveFailures, TimeSpan LastPingLatency, long Checks, string? LastError);
