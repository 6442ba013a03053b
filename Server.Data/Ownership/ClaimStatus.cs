namespace Realm.Data.Ownership;

/// <summary>The outcome of <see cref="PlayerOwnership.ClaimAsync"/>.</summary>
public enum ClaimStatus
{
    /// <summary>This server owns the player; <see cref="ClaimResult.Owner"/> is set.</summary>
    Owned,

    /// <summary>Another server kept the player for the whole login wait: "still logged in elsewhere".</summary>
    OwnedElsewhere,

    /// <summary>The lock service or the database failed; the login should be refused and may be retried.</summary>
    Unavailable,
}
