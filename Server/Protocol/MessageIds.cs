namespace Realm.Server.Protocol;

/// <summary>Message ids, fixed forever once released: a changed id breaks every deployed client.</summary>
internal static class MessageIds
{
    /// <summary><see cref="Messages.EchoMessage"/>: sent back unchanged by an echo host.</summary>
    public const byte Echo = 1;

    /// <summary><see cref="Messages.LoginRequest"/>: the connect data of a game client (protocol version, token).</summary>
    public const byte Login = 2;

    /// <summary><see cref="Messages.Welcome"/>: the server accepted the login and spawned the player.</summary>
    public const byte Welcome = 3;

    /// <summary><see cref="Messages.MoveInput"/>: a client's movement input.</summary>
    public const byte MoveInput = 4;

    /// <summary><see cref="Messages.PositionCorrection"/>: the server's authoritative position after an input it did not trust.</summary>
    public const byte PositionCorrection = 5;

    /// <summary><see cref="Messages.EntityEnter"/>: an entity came into the client's area of interest.</summary>
    public const byte EntityEnter = 6;

    /// <summary><see cref="Messages.EntityLeave"/>: an entity left the client's area of interest.</summary>
    public const byte EntityLeave = 7;

    /// <summary><see cref="Messages.CellSnapshot"/>: positions of every entity in one grid cell at one tick.</summary>
    public const byte CellSnapshot = 8;

    /// <summary><see cref="Messages.ChatSend"/>: a client's chat line (zone or whisper).</summary>
    public const byte ChatSend = 9;

    /// <summary><see cref="Messages.ChatLine"/>: a chat line delivered to a client.</summary>
    public const byte ChatLine = 10;

    /// <summary><see cref="Messages.ErrorNotice"/>: a request was refused (chat too long, rate limited, unknown target, …).</summary>
    public const byte ErrorNotice = 11;

    /// <summary><see cref="Messages.StatusRequest"/>: a client asks for the server's figures.</summary>
    public const byte StatusRequest = 12;

    /// <summary><see cref="Messages.StatusResponse"/>: the server's figures.</summary>
    public const byte StatusResponse = 13;

    /// <summary><see cref="Messages.ZoneChange"/>: a client asks to move to another zone.</summary>
    public const byte ZoneChange = 14;
}
