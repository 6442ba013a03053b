namespace Realm.Server.Net.Reliability;

/// <summary>Outcome of <see cref="ReceiveWindow.Record"/>.</summary>
internal enum ReceiveResult
{
    /// <summary>First arrival: deliver it.</summary>
    New,

    /// <summary>Already received: drop it (the network or a resend duplicated it).</summary>
    Duplicate,

    /// <summary>Too far behind the newest to tell from a duplicate: drop it.</summary>
    TooOld,
}
