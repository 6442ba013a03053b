namespace Realm.Data.Ownership;

/// <summary>What a save did.</summary>
/// <param name="Outcome">Saved, rejected as stale, or failed.</param>
/// <param name="Error">The database error when <paramref name="Outcome"/> is <see cref="SaveOutcome.Failed"/>.</param>
public readonly record struct SaveResult(SaveOutcome Outcome, string? Error = null);
