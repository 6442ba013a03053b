namespace Realm.Data.Ownership;

/// <summary>Settings of <see cref="PlayerOwnership"/>; validated when it is created.</summary>
public sealed class PlayerOwnershipOptions
{
    /// <summary>
    /// The ownership lock's lease (default 10 s), renewed at lease/3 while the player is online. After a crash
    /// the player can log in elsewhere once it runs out; a shorter lease frees players sooner and costs more renewals.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a login waits for a player owned by another server to be released (default 5 s), e.g. while the
    /// other server saves and lets go on logout; then the login is refused with "still logged in elsewhere".
    /// </summary>
    public TimeSpan LoginWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Lease < Locking.LockValidity.MinimumLease || Lease > TimeSpan.FromHours(1))
        {
            errors.Add($"Lease: {Lease} is not allowed: 50 ms to 1 h");
        }

        if (LoginWait < TimeSpan.Zero || LoginWait > TimeSpan.FromMinutes(5))
        {
            errors.Add($"LoginWait: {LoginWait} is not allowed: 0 to 5 min");
        }

        return errors;
    }
}
