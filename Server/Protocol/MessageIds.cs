namespace Realm.Server.Protocol;

/// <summary>Message ids, fixed forever once released: a changed id breaks every deployed client.</summary>
internal static class MessageIds
{
    /// <summary><see cref="Messages.EchoMessage"/>: sent back unchanged by an echo host.</summary>
    public const byte Echo = 1;
}
