namespace Realm.Data.Ownership;

/// <summary>The outcome of <see cref="PlayerOwnership.SaveAsync"/>.</summary>
public enum SaveOutcome
{
    /// <summary>Written.</summary>
    Saved,

    /// <summary>
    /// Rejected by the database: a newer owner has claimed the player. Nothing was written; the owner has
    /// ended (<see cref="PlayerOwner.Ended"/>) and its session must close without further saves.
    /// </summary>
    StaleOwner,

    /// <summary>The database failed; nothing is known to be written. The caller keeps the state and retries.</summary>
    Failed,
}
