namespace Realm.Data.Locking.Internal;

/// <summary>
/// The lowest fencing token an acquisition asks for: the wall clock in microseconds since 1970, plus one
/// second of headroom.
/// </summary>
/// <remarks>
/// The headroom makes the floor win over a Redis server's own clock (used for a counter it does not have) as
/// long as the server is less than a second ahead of this machine, so the masters of one Redlock attempt agree
/// on the token and it needs no second round to reconcile them. Tokens only have to increase per resource;
/// being a second "in the future" costs nothing.
/// </remarks>
internal static class FenceFloor
{
    private const long HeadroomMicroseconds = 1_000_000;

    public static long Now(TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000) + HeadroomMicroseconds;
}
