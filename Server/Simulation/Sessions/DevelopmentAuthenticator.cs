using System.Globalization;
using System.Text;

namespace Realm.Server.Simulation.Sessions;

/// <summary>
/// Development and load-test authenticator: the token is <c>playerId:name</c>, trusted as given. The id is a
/// positive 64-bit number; the name is 1–32 bytes of letters, digits, <c>_</c> or <c>-</c>. Never expose a
/// server using it to the internet: anyone can log in as anyone.
/// </summary>
internal sealed class DevelopmentAuthenticator : IAuthenticator
{
    public const int MaxNameBytes = 32;

    public bool TryAuthenticate(ReadOnlySpan<byte> token, out PlayerIdentity? identity, out string? reason)
    {
        identity = null;
        int colon = token.IndexOf((byte)':');
        if (colon <= 0 || colon == token.Length - 1)
        {
            reason = "bad token: expected playerId:name";
            return false;
        }

        ReadOnlySpan<byte> idText = token[..colon];
        ReadOnlySpan<byte> name = token[(colon + 1)..];
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out long id) || id <= 0)
        {
            reason = "bad token: the player id must be a positive number";
            return false;
        }

        if (name.Length > MaxNameBytes || !IsValidName(name))
        {
            reason = "bad token: the name must be 1-32 letters, digits, _ or -";
            return false;
        }

        identity = new PlayerIdentity(id, Encoding.UTF8.GetString(name), name.ToArray());
        reason = null;
        return true;
    }

    private static bool IsValidName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-'))
            {
                return false;
            }
        }

        return true;
    }
}
