namespace Realm.Data.Monitoring;

/// <summary>A pool's health moved from <paramref name="Old"/> to <paramref name="New"/>.</summary>
/// <param name="Pool">The pool's name.</param>
/// <param name="Old">The state before.</param>
/// <param name="New">The state now.</param>
/// <param name="Reason">Why, in words (the ping's error, its latency, or the breaker's state).</param>
public readonly record struct HealthChange(string Pool, HealthState Old, HealthState New, string Reason);
