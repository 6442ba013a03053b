using System.Runtime.CompilerServices;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;

namespace Realm.Server.Simulation;

/// <summary>Client messages: movement input, chat, zone change, status. A malformed message is counted and dropped.</summary>
internal sealed partial class GameServer
{
    private const long ChatWindowMs = 10_000;
    private const long ViolationWindowMs = 60_000;

    /// <summary>Messages that did not parse, or came in a state where they mean nothing, since start.</summary>
    public long MalformedMessages { get; private set; }

    private void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload)
    {
        if (!_byPeer.TryGetValue(peer.Id, out Session? session) || payload.IsEmpty)
        {
            MalformedMessages++;
            return;
        }

        var reader = new PacketReader(payload);
        switch (payload[0])
        {
            case MessageIds.MoveInput when Message.TryRead(ref reader, out MoveInput input):
                OnMove(session, input);
                break;
            case MessageIds.ChatSend when Message.TryRead(ref reader, out ChatSend chat):
                OnChat(session, chat);
                break;
            case MessageIds.ZoneChange when Message.TryRead(ref reader, out ZoneChange change):
                OnZoneChange(session, change);
                break;
            case MessageIds.StatusRequest when Message.TryRead(ref reader, out StatusRequest status):
                OnStatus(session, status);
                break;
            case MessageIds.Echo when Message.TryRead(ref reader, out EchoMessage _):
                session.Peer.Send(payload, DeliveryMethod.Unreliable, EchoChannel); // app-level RTT probe: back as it came
                break;
            default:
                MalformedMessages++;
                break;
        }
    }

    private static void OnMove(Session session, in MoveInput input)
    {
        if (session.State != SessionState.Playing || session.Entity is not { } entity)
        {
            return; // inputs racing the login or the logout: nothing to move
        }

        // Unreliable sequenced already drops older datagrams; the sequence check also covers a client restart bug.
        if (entity.HasInput && unchecked((int)(input.Sequence - entity.InputSequence)) <= 0)
        {
            return;
        }

        entity.HasInput = true;
        entity.InputSequence = input.Sequence;
        entity.TargetX = input.X;
        entity.TargetY = input.Y;
    }

    [SkipLocalsInit] // the 1,200-byte stack buffer is written before it is read; zeroing it per message is waste
    private void OnChat(Session session, ChatSend chat)
    {
        if (session.State != SessionState.Playing || session.Entity?.Zone is not { } zone)
        {
            SendError(session, ErrorCode.NotReady, "not in the game yet"u8);
            return;
        }

        if (chat.Text.Length > _options.ChatMaxBytes)
        {
            Violation(session, ErrorCode.ChatTooLong, "chat line too long"u8);
            return;
        }

        long now = Environment.TickCount64;
        if (now - session.ChatWindowStart >= ChatWindowMs)
        {
            session.ChatWindowStart = now;
            session.ChatLines = 0;
        }

        if (++session.ChatLines > _options.ChatLinesPer10Seconds)
        {
            Violation(session, ErrorCode.ChatRateLimited, "too many chat lines; slow down"u8);
            return;
        }

        var line = new ChatLine(chat.Scope, session.Identity.PlayerId, session.Identity.NameUtf8, chat.Text);
        if (chat.Scope == ChatScope.Whisper)
        {
            if (!_byPlayer.TryGetValue(chat.Target, out Session? target) || target.State != SessionState.Playing)
            {
                SendError(session, ErrorCode.UnknownTarget, "no such player online"u8);
                return;
            }

            SendReliable(target, line);
            return;
        }

        Span<byte> buffer = stackalloc byte[1200];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, line); // serialized once for the whole zone
        foreach (Entity listener in zone.Entities)
        {
            listener.Session.Peer.Send(writer.Written, DeliveryMethod.ReliableOrdered, ReliableChannel);
        }
    }

    private void Violation(Session session, ErrorCode code, ReadOnlySpan<byte> text)
    {
        long now = Environment.TickCount64;
        if (now - session.ViolationWindowStart >= ViolationWindowMs)
        {
            session.ViolationWindowStart = now;
            session.Violations = 0;
        }

        SendError(session, code, text);
        if (++session.Violations >= _options.ChatViolationsToDisconnect)
        {
            Kick(session, "chat abuse");
        }
    }

    private void OnZoneChange(Session session, ZoneChange change)
    {
        if (session.State != SessionState.Playing || session.Entity is not { Zone: { } from } entity)
        {
            SendError(session, ErrorCode.NotReady, "not in the game yet"u8);
            return;
        }

        if (change.Zone >= (uint)_zones.Length)
        {
            SendError(session, ErrorCode.UnknownZone, "no such zone"u8);
            return;
        }

        Zone to = _zones[change.Zone];
        if (ReferenceEquals(to, from))
        {
            return;
        }

        LeaveZone(entity, from);
        (entity.X, entity.Y) = (to.Size / 2, to.Size / 2);
        (entity.TargetX, entity.TargetY) = (entity.X, entity.Y);
        entity.HasInput = false;
        entity.MoveBudget = 0;
        SendReliable(session, new Welcome(entity.Id, session.Identity.PlayerId, (uint)to.Id, entity.X, entity.Y, (uint)_options.TickRate, (uint)_options.CellSize, (ulong)_tick));
        EnterZone(entity, to);
    }

    private void OnStatus(Session session, StatusRequest request)
    {
        TickMetrics m = Metrics;
        NetHostStatistics stats = _host.Statistics;
        Data.Monitoring.LatencyHistogram duration = request.Interval ? m.IntervalDuration : m.Duration;
        Data.Monitoring.LatencyHistogram lateness = request.Interval ? m.IntervalLateness : m.Lateness;
        SendReliable(session, new StatusResponse(
            request.RequestId,
            (uint)_byPeer.Count,
            (ulong)m.Ticks,
            Micros(duration.PercentileMilliseconds(50)),
            Micros(duration.PercentileMilliseconds(99)),
            Micros(duration.MaxMilliseconds),
            Micros(lateness.PercentileMilliseconds(99)),
            Micros(lateness.MaxMilliseconds),
            (ulong)m.Overruns,
            (uint)m.InboundQueueLength,
            (ulong)Math.Max(0, GC.GetTotalAllocatedBytes() - _allocatedBaseline),
            (ulong)Math.Max(0, GC.CollectionCount(0) - _gen0Baseline),
            (ulong)stats.MessagesReceived,
            (ulong)stats.MessagesSent));
        if (request.Interval)
        {
            m.RestartInterval();
        }

        if (request.Reset)
        {
            m.Reset();
            m.RestartInterval();
            _allocatedBaseline = GC.GetTotalAllocatedBytes();
            _gen0Baseline = GC.CollectionCount(0);
        }
    }

    private static void SendError(Session session, ErrorCode code, ReadOnlySpan<byte> text) => SendReliable(session, new ErrorNotice(code, text));

    private static ulong Micros(double milliseconds) => (ulong)Math.Max(0, milliseconds * 1000);
}
