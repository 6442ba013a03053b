namespace Realm.Server.Simulation.Sessions;

/// <summary>Who a login says it is, once the authenticator has accepted its token.</summary>
/// <param name="PlayerId">The player (positive).</param>
/// <param name="Name">Display name.</param>
/// <param name="NameUtf8">The name as UTF-8, kept so messages carry it without encoding it again.</param>
internal sealed record PlayerIdentity(long PlayerId, string Name, byte[] NameUtf8);
