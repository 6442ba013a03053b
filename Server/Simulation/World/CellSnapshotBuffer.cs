using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.Server.Simulation.World;

/// <summary>
/// One cell's snapshot for one tick, serialized once and sent as the same bytes to every observer (the
/// broadcast grouping). Parts of at most <see cref="CellSnapshot.MaxEntries"/> entities each. The buffer
/// grows only when the cell holds more entities than it ever has; steady state allocates nothing.
/// </summary>
internal sealed class CellSnapshotBuffer
{
    private const int PartBytes = 1024; // header ≤ 30 B + 64 entries × ≤ 15 B
    private byte[] _data = new byte[PartBytes];
    private int[] _lengths = new int[1];

    /// <summary>The tick this buffer was written for; a different tick means it is stale.</summary>
    public long Tick { get; private set; } = -1;

    public int Parts { get; private set; }

    /// <summary>Bytes written for this tick (all parts).</summary>
    public int Bytes { get; private set; }

    public ReadOnlySpan<byte> Part(int index) => _data.AsSpan(index * PartBytes, _lengths[index]);

    /// <summary>Serializes the entities of the cell for <paramref name="tick"/>.</summary>
    public void Write(long tick, uint zone, uint cell, ReadOnlySpan<Entity> entities)
    {
        int parts = Math.Max(1, (entities.Length + CellSnapshot.MaxEntries - 1) / CellSnapshot.MaxEntries);
        if (_lengths.Length < parts)
        {
            _data = new byte[parts * PartBytes];
            _lengths = new int[parts];
        }

        int total = 0;
        for (int part = 0; part < parts; part++)
        {
            int first = part * CellSnapshot.MaxEntries;
            int count = Math.Min(CellSnapshot.MaxEntries, entities.Length - first);
            var writer = new PacketWriter(_data.AsSpan(part * PartBytes, PartBytes), PartBytes);
            Message.Write(ref writer, new CellSnapshot((ulong)tick, zone, cell, (uint)part, (uint)count));
            for (int i = first; i < first + count; i++)
            {
                Entity e = entities[i];
                CellSnapshot.WriteEntry(ref writer, e.Id, e.X, e.Y);
            }

            _lengths[part] = writer.Length;
            total += writer.Length;
        }

        Tick = tick;
        Parts = parts;
        Bytes = total;
    }
}
