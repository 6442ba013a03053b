namespace Realm.Server.Protocol.Messages;

/// <summary>Why a request was refused (<see cref="ErrorNotice"/>).</summary>
internal enum ErrorCode : byte
{
    /// <summary>A chat line longer than the server's cap.</summary>
    ChatTooLong = 1,

    /// <summary>More chat lines than the per-player rate allows.</summary>
    ChatRateLimited = 2,

    /// <summary>A whisper to a player who is not online here.</summary>
    UnknownTarget = 3,

    /// <summary>A zone that does not exist.</summary>
    UnknownZone = 4,

    /// <summary>A message that is not valid in the session's state (e.g. input before the login finished).</summary>
    NotReady = 5,
}
