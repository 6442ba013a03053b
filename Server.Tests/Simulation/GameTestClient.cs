using System.Diagnostics;
using System.Net;
using System.Text;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Client;

namespace Realm.Server.Tests.Simulation;

/// <summary>A game client on loopback, pumped from the test thread, that keeps what the server told it.</summary>
internal sealed class GameTestClient(IPEndPoint server, string token, ushort version = LoginRequest.CurrentVersion) : GameConnection(server, token, version)
{
    private uint _sequence;

    public Welcome? Welcome { get; private set; }

    /// <summary>Entities currently in view (entered and not left), with the player they belong to.</summary>
    public Dictionary<uint, long> InView { get; } = [];

    public List<uint> Entered { get; } = [];

    public List<uint> Left { get; } = [];

    /// <summary>Latest snapshot position of every entity seen in a snapshot.</summary>
    public Dictionary<uint, (int X, int Y)> Positions { get; } = [];

    public List<PositionCorrection> Corrections { get; } = [];

    public List<(ChatScope Scope, long From, string Text)> Chat { get; } = [];

    public List<ErrorCode> Errors { get; } = [];

    public List<StatusResponse> Status { get; } = [];

    public (DisconnectReason Reason, string Text)? Disconnected { get; private set; }

    public void Move(int x, int y) => Sent(Send(new MoveInput(++_sequence, x, y, 0), DeliveryMethod.UnreliableSequenced, 0));

    public void Say(string text, ChatScope scope = ChatScope.Zone, long target = 0) => Sent(Send(new ChatSend(scope, target, Encoding.UTF8.GetBytes(text)), DeliveryMethod.ReliableOrdered, 0));

    public void AskStatus(bool reset = false) => Sent(Send(new StatusRequest(1, reset), DeliveryMethod.ReliableOrdered, 0));

    public void ChangeZone(uint zone) => Sent(Send(new ZoneChange(zone), DeliveryMethod.ReliableOrdered, 0));

    private static void Sent(SendResult result) => Assert.That(result, Is.EqualTo(SendResult.Queued));

    /// <summary>Pumps until <paramref name="condition"/> holds; fails the test after <paramref name="seconds"/>.</summary>
    public void PumpUntil(Func<bool> condition, string what, double seconds = 10) => PumpAllUntil([this], condition, what, seconds);

    public static void PumpAllUntil(IReadOnlyList<GameTestClient> clients, Func<bool> condition, string what, double seconds = 10)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            PumpAllOnce(clients);
            if (condition())
            {
                return;
            }

            if (Stopwatch.GetElapsedTime(start).TotalSeconds > seconds)
            {
                Assert.Fail($"not within {seconds} s: {what}");
            }
        }
    }

    /// <summary>Pumps everyone for <paramref name="milliseconds"/> (to show that something does <em>not</em> arrive).</summary>
    public static void PumpAllFor(IReadOnlyList<GameTestClient> clients, int milliseconds)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < milliseconds)
        {
            PumpAllOnce(clients);
        }
    }

    /// <summary>One pass over every client; the first blocks on its socket for up to 1 ms, so the loop waits on traffic, not on a timer.</summary>
    private static void PumpAllOnce(IReadOnlyList<GameTestClient> clients)
    {
        for (int i = 0; i < clients.Count; i++)
        {
            clients[i].Pump(i == 0 ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero);
        }
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        switch (payload[0])
        {
            case MessageIds.Welcome when Message.TryRead(ref reader, out Welcome welcome):
                Welcome = welcome;
                InView.Clear();
                break;
            case MessageIds.EntityEnter when Message.TryRead(ref reader, out EntityEnter enter):
                InView[enter.EntityId] = enter.PlayerId;
                Entered.Add(enter.EntityId);
                break;
            case MessageIds.EntityLeave when Message.TryRead(ref reader, out EntityLeave leave):
                InView.Remove(leave.EntityId);
                Left.Add(leave.EntityId);
                break;
            case MessageIds.CellSnapshot when Message.TryRead(ref reader, out CellSnapshot snapshot):
                for (int i = 0; i < snapshot.Count; i++)
                {
                    Assert.That(CellSnapshot.TryReadEntry(ref reader, out uint entity, out int x, out int y), Is.True, "snapshot entry");
                    Positions[entity] = (x, y);
                }

                break;
            case MessageIds.PositionCorrection when Message.TryRead(ref reader, out PositionCorrection correction):
                Corrections.Add(correction);
                break;
            case MessageIds.ChatLine when Message.TryRead(ref reader, out ChatLine line):
                Chat.Add((line.Scope, line.From, Encoding.UTF8.GetString(line.Text)));
                break;
            case MessageIds.ErrorNotice when Message.TryRead(ref reader, out ErrorNotice error):
                Errors.Add(error.Code);
                break;
            case MessageIds.StatusResponse when Message.TryRead(ref reader, out StatusResponse status):
                Status.Add(status);
                break;
            default:
                Assert.Fail($"the server sent a message the client cannot read (id {payload[0]}, {payload.Length} B)");
                break;
        }
    }

    protected override void OnDisconnected(DisconnectReason reason, ReadOnlySpan<byte> data) =>
        Disconnected = (reason, Encoding.UTF8.GetString(data));
}
