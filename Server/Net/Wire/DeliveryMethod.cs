namespace Realm.Server.Net.Wire;

/// <summary>How a message is delivered. The numeric values are on the wire.</summary>
internal enum DeliveryMethod : byte
{
    /// <summary>May be lost, duplicated by nothing, delivered in any order. No sequence number.</summary>
    Unreliable = 0,

    /// <summary>May be lost; an older message is dropped once a newer one on the channel was delivered.</summary>
    UnreliableSequenced = 1,

    /// <summary>Delivered exactly once, in any order.</summary>
    ReliableUnordered = 2,

    /// <summary>Delivered exactly once, in send order per channel.</summary>
    ReliableOrdered = 3,

    /// <summary>Only the latest message per channel is delivered, reliably; older ones are superseded.</summary>
    ReliableSequenced = 4,
}
