using Realm.Server.Net.Wire;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;

namespace Realm.Server.Simulation;

/// <summary>
/// Movement with validation, area of interest (3 × 3 cells, enter/leave events) and the grouped broadcast:
/// each occupied cell that someone observes is serialized once per tick and the same bytes go to every observer.
/// </summary>
internal sealed partial class GameServer
{
    private readonly CellSnapshotBuffer _scratch = new();

    /// <summary>Moves that were corrected (too fast or out of bounds) since start.</summary>
    public long Corrections { get; private set; }

    /// <summary>
    /// Serialize each cell once per tick and share the bytes (default). Off: serialize it again for every
    /// observer, the naive broadcast — kept only as the benchmark's baseline.
    /// </summary>
    internal bool GroupedBroadcast { get; set; } = true;

    private void Step(long tick)
    {
        double perTick = _options.MaxSpeed / (double)_options.TickRate;
        double cap = _options.MaxSpeed / 2.0;
        foreach (Zone zone in _zones)
        {
            List<Entity> entities = zone.Entities;
            for (int i = 0; i < entities.Count; i++)
            {
                Entity entity = entities[i];
                entity.MoveBudget = Math.Min(entity.MoveBudget + perTick, cap);
                if (entity.HasInput)
                {
                    entity.HasInput = false;
                    Move(entity, zone);
                }
            }
        }
    }

    private void Move(Entity entity, Zone zone)
    {
        double dx = entity.TargetX - entity.X;
        double dy = entity.TargetY - entity.Y;
        double distance = Math.Sqrt((dx * dx) + (dy * dy));
        int x = entity.TargetX;
        int y = entity.TargetY;
        bool corrected = false;
        double allowed = entity.MoveBudget;
        if (distance > allowed)
        {
            x = entity.X + (int)(dx * allowed / distance);
            y = entity.Y + (int)(dy * allowed / distance);
            distance = allowed;
            corrected = true;
        }

        if (!zone.Contains(x, y))
        {
            x = Math.Clamp(x, 0, zone.Size - 1);
            y = Math.Clamp(y, 0, zone.Size - 1);
            corrected = true;
        }

        entity.MoveBudget -= distance;
        entity.X = x;
        entity.Y = y;
        if (corrected)
        {
            Corrections++;
            SendReliable(entity.Session, new PositionCorrection(entity.InputSequence, x, y));
        }

        int old = zone.UpdateCell(entity);
        if (old >= 0)
        {
            CrossCells(entity, zone, old, entity.Cell);
        }
    }

    private void EnterZone(Entity entity, Zone zone)
    {
        zone.Add(entity);
        Span<int> cells = stackalloc int[9];
        int count = zone.Neighbours(entity.Cell, cells);
        for (int c = 0; c < count; c++)
        {
            foreach (Entity other in zone.EntitiesIn(cells[c]))
            {
                if (!ReferenceEquals(other, entity))
                {
                    SendEnter(entity, other); // what the newcomer sees
                    SendEnter(other, entity); // who sees the newcomer
                }
            }
        }
    }

    private void LeaveZone(Entity entity, Zone zone)
    {
        Span<int> cells = stackalloc int[9];
        int count = zone.Neighbours(entity.Cell, cells);
        for (int c = 0; c < count; c++)
        {
            foreach (Entity other in zone.EntitiesIn(cells[c]))
            {
                if (!ReferenceEquals(other, entity))
                {
                    SendReliable(other.Session, new EntityLeave(entity.Id));
                    SendReliable(entity.Session, new EntityLeave(other.Id));
                }
            }
        }

        zone.Remove(entity);
    }

    /// <summary>
    /// An entity moved from cell <paramref name="from"/> to <paramref name="to"/>: the cells that came into view
    /// (around <paramref name="to"/>, not around <paramref name="from"/>) bring enter events both ways, the
    /// cells that went out of view bring leave events both ways. Neighbourhood is symmetric, so "I see you" and
    /// "you see me" change together.
    /// </summary>
    private void CrossCells(Entity entity, Zone zone, int from, int to)
    {
        Span<int> cells = stackalloc int[9];
        int count = zone.Neighbours(to, cells);
        for (int c = 0; c < count; c++)
        {
            if (zone.AreNeighbours(cells[c], from))
            {
                continue;
            }

            foreach (Entity other in zone.EntitiesIn(cells[c]))
            {
                if (!ReferenceEquals(other, entity))
                {
                    SendEnter(entity, other);
                    SendEnter(other, entity);
                }
            }
        }

        count = zone.Neighbours(from, cells);
        for (int c = 0; c < count; c++)
        {
            if (zone.AreNeighbours(cells[c], to))
            {
                continue;
            }

            foreach (Entity other in zone.EntitiesIn(cells[c]))
            {
                SendReliable(entity.Session, new EntityLeave(other.Id));
                SendReliable(other.Session, new EntityLeave(entity.Id));
            }
        }
    }

    private static void SendEnter(Entity observer, Entity seen) =>
        SendReliable(observer.Session, new EntityEnter(seen.Id, seen.Session.Identity.PlayerId, seen.X, seen.Y, seen.Session.Identity.NameUtf8));

    private void Broadcast(long tick)
    {
        Span<int> cells = stackalloc int[9];
        foreach (Zone zone in _zones)
        {
            foreach (Entity observer in zone.Entities)
            {
                ISessionLink peer = observer.Session.Peer;
                int count = zone.Neighbours(observer.Cell, cells);
                for (int c = 0; c < count; c++)
                {
                    ReadOnlySpan<Entity> inCell = zone.EntitiesIn(cells[c]);
                    if (inCell.IsEmpty)
                    {
                        continue;
                    }

                    CellSnapshotBuffer snapshot = GroupedBroadcast ? zone.SnapshotOf(cells[c]) : _scratch;
                    if (snapshot.Tick != tick || !GroupedBroadcast)
                    {
                        snapshot.Write(tick, (uint)zone.Id, (uint)cells[c], inCell);
                        SnapshotBytesSerialized += snapshot.Bytes;
                    }

                    for (int part = 0; part < snapshot.Parts; part++)
                    {
                        peer.Send(snapshot.Part(part), DeliveryMethod.UnreliableSequenced, SnapshotChannel);
                    }

                    SnapshotBytesSent += snapshot.Bytes;
                }
            }
        }
    }
}
