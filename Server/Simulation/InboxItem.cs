namespace Realm.Server.Simulation;

/// <summary>What other threads hand the logic thread.</summary>
internal enum InboxKind
{
    /// <summary>A login's ownership claim finished; <see cref="InboxItem.Payload"/> is the <c>ClaimResult</c>.</summary>
    ClaimDone,

    /// <summary>A session's ownership ended (lease lost); <see cref="InboxItem.Payload"/> is the reason.</summary>
    OwnershipEnded,

    /// <summary>Stop accepting, tell every client, flush; <see cref="InboxItem.Payload"/> is the <c>TaskCompletionSource</c> to complete.</summary>
    Shutdown,
}

/// <summary>One posted item: the kind, the session's peer id, and what it carries.</summary>
internal readonly record struct InboxItem(InboxKind Kind, int PeerId, object? Payload);
