using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
namespace Realm.Server.Simulation.Sessions;

/// <summary>
/// A session link with no transport behind it: it counts what the world sends and keeps it when asked.
/// For benchmarks and tests that drive <see cref="GameServer.Tick"/> directly; never used by a running server.
/// </summary>
internal sealed class CountingLink(int id, bool keep = false) : ISessionLink
{
    public int Id { get; } = id;

    public long Bytes { get; private set; }

    public long Messages { get; private set; }

    public List<byte[]> Kept { get; } = [];

    public bool Disconnected { get; private set; }

    public SendResult Send(ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        Bytes += payload.Length;
        Messages++;
        if (keep)
        {
            Kept.Add(payload.ToArray());
        }

        return SendResult.Queued;
    }

    public void Disconnect(ReadOnlySpan<byte> data) => Disconnected = true;
}
