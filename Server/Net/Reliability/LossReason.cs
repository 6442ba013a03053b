namespace Realm.Server.Net.Reliability;

/// <summary>Why <see cref="SendLog"/> declared a datagram lost.</summary>
internal enum LossReason
{
    /// <summary>At least <see cref="SendLog.PacketThreshold"/> later datagrams were acknowledged (a gap in the ack bits).</summary>
    PacketThreshold,

    /// <summary>A later datagram was acknowledged and this one is older than 9/8 of the RTT.</summary>
    TimeThreshold,

    /// <summary>No acknowledgement within the retransmission timeout.</summary>
    Timeout,
}
