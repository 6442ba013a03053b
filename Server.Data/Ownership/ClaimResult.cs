namespace Realm.Data.Ownership;

/// <summary>An owner, or why the player could not be claimed.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Owner">This server's ownership, when <paramref name="Status"/> is <see cref="ClaimStatus.Owned"/>.</param>
/// <param name="Reason">Why not, fit to show the client; <see langword="null"/> when owned.</param>
public readonly record struct ClaimResult(ClaimStatus Status, PlayerOwner? Owner, string? Reason);
