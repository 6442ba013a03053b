namespace Realm.Server.Net.Transport;

/// <summary>
/// Traffic counters of one peer, or of a whole host (<see cref="NetHostStatistics"/>). Written by the
/// logic thread; readable from any thread (each value is read whole).
/// </summary>
internal class NetStatistics
{
    internal long DatagramsSentField;
    internal long BytesSentField;
    internal long DatagramsReceivedField;
    internal long BytesReceivedField;
    internal long MessagesSentField;
    internal long MessagesReceivedField;
    internal long ResendsField;
    internal long DatagramsLostField;
    internal long DatagramsAckedField;
    internal long DuplicatesField;
    internal long AcksSentField;
    internal long SendDroppedField;

    public long DatagramsSent => Volatile.Read(ref DatagramsSentField);

    public long BytesSent => Volatile.Read(ref BytesSentField);

    public long DatagramsReceived => Volatile.Read(ref DatagramsReceivedField);

    public long BytesReceived => Volatile.Read(ref BytesReceivedField);

    /// <summary>Messages handed to the socket (a resend is not counted again; fragments count once per message).</summary>
    public long MessagesSent => Volatile.Read(ref MessagesSentField);

    /// <summary>Messages delivered to the application.</summary>
    public long MessagesReceived => Volatile.Read(ref MessagesReceivedField);

    /// <summary>Reliable messages (or fragments) sent again after their datagram was taken as lost.</summary>
    public long Resends => Volatile.Read(ref ResendsField);

    /// <summary>Data datagrams taken as lost (gap in the acks, or no ack within the RTO).</summary>
    public long DatagramsLost => Volatile.Read(ref DatagramsLostField);

    /// <summary>Data datagrams acknowledged.</summary>
    public long DatagramsAcked => Volatile.Read(ref DatagramsAckedField);

    /// <summary>Datagrams or messages received again and dropped.</summary>
    public long Duplicates => Volatile.Read(ref DuplicatesField);

    /// <summary>Ack-only datagrams sent (there was no data to carry the ack).</summary>
    public long AcksSent => Volatile.Read(ref AcksSentField);

    /// <summary>Unreliable messages dropped unsent because no datagram could leave (every in-flight slot taken: the peer stopped acknowledging).</summary>
    public long SendDropped => Volatile.Read(ref SendDroppedField);

    /// <summary>Estimated loss of sent data datagrams, in percent: lost / (lost + acknowledged).</summary>
    public double LossPercent
    {
        get
        {
            long lost = DatagramsLost, acked = DatagramsAcked;
            return lost + acked == 0 ? 0 : 100.0 * lost / (lost + acked);
        }
    }
}

/// <summary>A host's totals over all its peers, plus datagrams dropped and peers disconnected, by reason.</summary>
internal sealed class NetHostStatistics : NetStatistics
{
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private readonly long[] _disconnects = new long[(int)Enum.GetValues<DisconnectReason>().Max() + 1];

    /// <summary>Datagrams (or messages) dropped for <paramref name="reason"/>.</summary>
    public long Dropped(DropReason reason) => Interlocked.Read(ref _dropped[(int)reason]);

    /// <summary>Everything dropped, over all reasons.</summary>
    public long DroppedTotal
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _dropped.Length; i++)
            {
                sum += Interlocked.Read(ref _dropped[i]);
            }

            return sum;
        }
    }

    /// <summary>
    /// Disconnect events raised for <paramref name="reason"/> (one per peer). A soak at 0 % loss must show
    /// no <see cref="DisconnectReason.Timeout"/>.
    /// </summary>
    public long Disconnects(DisconnectReason reason) => Interlocked.Read(ref _disconnects[(int)reason]);

    /// <summary>Peers connected now.</summary>
    public int Peers => Volatile.Read(ref PeersField);

    /// <summary>Socket send calls that failed (counted, never thrown).</summary>
    public long SendErrors => Interlocked.Read(ref SendErrorsField);

    /// <summary>
    /// Disconnect datagrams that arrived after their peer was gone: the second copy (every disconnect is
    /// sent twice), or both sides closing at once. Expected, so not counted as dropped.
    /// </summary>
    public long LateDisconnects => Interlocked.Read(ref LateDisconnectsField);

    internal int PeersField;
    internal long SendErrorsField;
    internal long LateDisconnectsField;

    internal void Drop(DropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    internal void CountDisconnect(DisconnectReason reason) => Interlocked.Increment(ref _disconnects[(int)reason]);
}
