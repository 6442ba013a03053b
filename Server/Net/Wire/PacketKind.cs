namespace Realm.Server.Net.Wire;

/// <summary>The low four bits of a datagram's first byte; the high four are flags and must be zero for now.</summary>
internal enum PacketKind : byte
{
    ConnectRequest = 1,
    Challenge = 2,
    ConnectResponse = 3,
    Accept = 4,
    Reject = 5,
    Data = 6,
    Disconnect = 7,

    /// <summary>Acknowledgement only (no sequence number, no messages); sent when there is nothing else to carry the ack. Never acknowledged itself.</summary>
    Ack = 8,
}
