namespace Realm.Server.Simulation.Sessions;

/// <summary>
/// Turns a login token into a player identity. Called on the logic thread for every connect request, so
/// it must answer at once (no I/O): a real implementation verifies a signed token (e.g. an HMAC or JWT
/// issued by the account service) locally.
/// </summary>
internal interface IAuthenticator
{
    /// <summary>False with a reason for the client when the token is not acceptable.</summary>
    bool TryAuthenticate(ReadOnlySpan<byte> token, out PlayerIdentity? identity, out string? reason);
}
