using System.Diagnostics;
using System.Net;
using System.Text;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Client;

namespace Realm.LoadTester.Game;

/// <summary>
/// One simulated player: its own transport client (one socket, so the server sees a distinct endpoint),
/// polled by a worker thread. It logs in, walks between random waypoints near its spawn at the input rate,
/// sends an echo every second (application-level RTT), and records snapshot arrival intervals.
/// </summary>
internal sealed class Bot : GameConnection
{
    private const int EchoEveryMs = 1000;
    private readonly Random _random;
    private readonly SwarmStats _stats;
    private readonly long _inputPeriod;
    private readonly int _step;
    private readonly long _connectStart;
    private long _nextInput;
    private long _nextEcho;
    private uint _sequence;
    private uint _echoSequence;
    private int _x;
    private int _y;
    private int _homeX;
    private int _homeY;
    private int _targetX;
    private int _targetY;
    private ulong _lastSnapshotTick = ulong.MaxValue;
    private long _lastSnapshotAt;
    private bool _welcomed;
    private bool _finished;
    private bool _leaving;
    private readonly bool _reconnected;
    private readonly bool _idle;
    private readonly bool _chats;
    private readonly bool _hopsZones;
    private readonly bool _reconnects;
    private long _nextChat;
    private long _nextHop;
    private long _reconnectAt;

    public Bot(IPEndPoint server, long playerId, SwarmOptions options, SwarmStats stats, Random random, bool reconnected = false)
        : base(server, $"{playerId}:bot{playerId}", ioBatch: 8)
    {
        PlayerId = playerId;
        _stats = stats;
        _random = random;
        _reconnected = reconnected;

        // Scenario roles (mixed), by player number so every run has the same mix: 20 % idle, 15 % zone hoppers,
        // 5 % reconnecting, and half of the rest chatting.
        int role = (int)(playerId % 20);
        _idle = options.Scenario == "mixed" && role < 4;
        _hopsZones = options.Scenario == "mixed" && role is >= 4 and < 7;
        _reconnects = options.Scenario == "mixed" && !reconnected && role == 7;
        _chats = options.Scenario == "chat" || (options.Scenario == "mixed" && !_idle && playerId % 2 == 0);
        _inputPeriod = Stopwatch.Frequency / options.InputHz;
        _step = Math.Max(1, options.SpeedCmPerSecond / options.InputHz);
        _connectStart = Stopwatch.GetTimestamp();
    }

    public long PlayerId { get; }

    public bool IsPlaying => _welcomed && !_finished;

    /// <summary>A reconnecting bot's time has come: the worker replaces it with a fresh connection of the same player.</summary>
    public bool WantsReconnect => _reconnects && _welcomed && !_finished && Stopwatch.GetTimestamp() >= _reconnectAt;

    /// <summary>Disconnected, refused or failed to connect: nothing more to do.</summary>
    public bool IsFinished => _finished;

    /// <summary>Reads what arrived, acts if it is time, sends.</summary>
    public void Update(long now)
    {
        Receive();
        if (_welcomed && !_finished)
        {
            if (now >= _nextInput && !_idle)
            {
                _nextInput = Math.Max(_nextInput + _inputPeriod, now - _inputPeriod); // no burst after a stall
                Walk();
            }

            if (_chats && now >= _nextChat)
            {
                _nextChat = now + Seconds(4 + _random.NextDouble() * 4); // 4–8 s: within the server's default 5 lines per 10 s
                Count(Send(new ChatSend(ChatScope.Zone, 0, "hello from a bot"u8), DeliveryMethod.ReliableOrdered, 0));
                _stats.ChatSent++;
            }

            if (_hopsZones && now >= _nextHop)
            {
                _nextHop = now + Seconds(8 + _random.NextDouble() * 4);
                Count(Send(new ZoneChange((uint)_random.Next(4)), DeliveryMethod.ReliableOrdered, 0));
                _stats.ZoneChanges++;
            }

            if (now >= _nextEcho)
            {
                _nextEcho = now + (Stopwatch.Frequency * EchoEveryMs / 1000);
                Count(Send(new EchoMessage(++_echoSequence, now, default), DeliveryMethod.Unreliable, 2));
                _stats.EchoesSent++;
            }
        }

        Flush();
    }

    /// <summary>Ends the bot's session at the end of the run (not counted as a disconnect).</summary>
    public void Leave()
    {
        _leaving = true;
        Peer.Disconnect("load test over"u8);
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload)
    {
        _stats.MessagesReceived++;
        long now = Stopwatch.GetTimestamp();
        var reader = new PacketReader(payload);
        switch (payload[0])
        {
            case MessageIds.Welcome when Message.TryRead(ref reader, out Welcome welcome):
                if (!_welcomed)
                {
                    _welcomed = true;
                    if (_reconnected)
                    {
                        _stats.Reconnects++;
                    }
                    else
                    {
                        _stats.Connected++;
                    }

                    _nextChat = now + Seconds(_random.NextDouble() * 4);
                    _nextHop = now + Seconds(2 + _random.NextDouble() * 8);
                    _reconnectAt = now + Seconds(3 + _random.NextDouble() * 5);
                    _stats.ConnectTime.Record((long)(Stopwatch.GetElapsedTime(_connectStart, now).TotalMilliseconds * 1e6));
                    _nextInput = now + _random.NextInt64(_inputPeriod); // spread the bots over the input period
                    _nextEcho = now + _random.NextInt64(Stopwatch.Frequency);
                }

                (_x, _y) = (welcome.X, welcome.Y);
                (_homeX, _homeY) = (_x, _y);
                PickTarget();
                break;
            case MessageIds.CellSnapshot when Message.TryRead(ref reader, out CellSnapshot snapshot):
                if (snapshot.ServerTick != _lastSnapshotTick)
                {
                    if (_lastSnapshotTick != ulong.MaxValue)
                    {
                        _stats.SnapshotInterval.Record((long)(Stopwatch.GetElapsedTime(_lastSnapshotAt, now).TotalMilliseconds * 1e6));
                    }

                    _lastSnapshotTick = snapshot.ServerTick;
                    _lastSnapshotAt = now;
                }

                break;
            case MessageIds.Echo when Message.TryRead(ref reader, out EchoMessage echo):
                _stats.EchoesReceived++;
                long rtt = (long)(Stopwatch.GetElapsedTime(echo.SentAt, now).TotalMilliseconds * 1e6);
                _stats.Rtt.Record(rtt);
                _stats.SecondRtt.Record(rtt);
                break;
            case MessageIds.ChatLine:
                _stats.ChatReceived++;
                break;
            case MessageIds.ErrorNotice:
                _stats.Errors++;
                break;
            case MessageIds.PositionCorrection when Message.TryRead(ref reader, out PositionCorrection correction):
                _stats.Corrections++;
                (_x, _y) = (correction.X, correction.Y);
                break;
        }
    }

    protected override void OnDisconnected(DisconnectReason reason, ReadOnlySpan<byte> data)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (_leaving)
        {
            return;
        }

        string text = data.IsEmpty ? reason.ToString() : Encoding.UTF8.GetString(data);
        if (!_welcomed)
        {
            _stats.FailedConnects++;
        }
        else
        {
            _stats.Disconnects++;
        }

        _stats.DisconnectReasons[text] = _stats.DisconnectReasons.GetValueOrDefault(text) + 1;
    }

    private void Walk()
    {
        int dx = _targetX - _x;
        int dy = _targetY - _y;
        double distance = Math.Sqrt(((double)dx * dx) + ((double)dy * dy));
        if (distance <= _step)
        {
            (_x, _y) = (_targetX, _targetY);
            PickTarget();
        }
        else
        {
            _x += (int)(dx * _step / distance); // along the line, so a diagonal is no faster than the cap
            _y += (int)(dy * _step / distance);
        }

        Count(Send(new MoveInput(++_sequence, _x, _y, _sequence), DeliveryMethod.UnreliableSequenced, 0));
    }

    private void PickTarget()
    {
        // Waypoints within 30 m of the spawn point, inside the zone (the server corrects what is not).
        _targetX = Math.Max(0, _homeX + _random.Next(-3000, 3001));
        _targetY = Math.Max(0, _homeY + _random.Next(-3000, 3001));
    }

    private static long Seconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    private void Count(SendResult result)
    {
        if (result == SendResult.Queued)
        {
            _stats.MessagesSent++;
        }
    }
}
