namespace Realm.Server.Net.Reliability;

/// <summary>
/// Told by <see cref="SendLog"/> what became of each datagram. Implemented by a struct and passed by
/// <c>ref</c> as a generic argument, so the calls are direct and nothing is boxed or allocated.
/// </summary>
internal interface ISendLogListener
{
    /// <summary>The peer acknowledged <paramref name="sequence"/>; <paramref name="token"/> is what was passed to <see cref="SendLog.TryAdd"/>.</summary>
    void OnDelivered(ushort sequence, long token);

    /// <summary><paramref name="sequence"/> is taken as lost: resend what it carried that needs reliability.</summary>
    void OnLost(ushort sequence, long token, LossReason reason);
}
