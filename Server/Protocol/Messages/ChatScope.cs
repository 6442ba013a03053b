namespace Realm.Server.Protocol.Messages;

/// <summary>Who a chat line is for.</summary>
internal enum ChatScope : byte
{
    /// <summary>Everyone in the sender's zone.</summary>
    Zone = 0,

    /// <summary>One player, by player id.</summary>
    Whisper = 1,
}
