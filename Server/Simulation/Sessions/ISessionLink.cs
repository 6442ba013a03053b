using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Simulation.Sessions;

/// <summary>
/// What a session needs of its connection: send, and end it with a reason. <see cref="NetPeer"/> is the real
/// one; benchmarks use a link that only counts bytes, to measure the world without the transport.
/// </summary>
internal interface ISessionLink
{
    /// <summary>Unique per host while connected.</summary>
    int Id { get; }

    SendResult Send(ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel);

    void Disconnect(ReadOnlySpan<byte> data);
}
