using System.Collections.Concurrent;
using System.Diagnostics;

namespace Realm.LoadTester.Game;

/// <summary>One thread driving a share of the bots: poll, act, flush, about once a millisecond.</summary>
internal sealed class SwarmWorker : IDisposable
{
    private readonly ConcurrentQueue<Bot> _incoming = new();
    private readonly List<Bot> _bots = [];
    private readonly Thread _thread;
    private volatile bool _stopping;
    private volatile bool _resetRequested;
    private volatile bool _resetDone;
    private volatile bool _secondRequested;
    private volatile bool _secondDone;
    private readonly Realm.Data.Monitoring.LatencyHistogram _published = new();

    private readonly Func<Bot, Bot>? _reconnect;

    /// <param name="index">For the thread's name.</param>
    /// <param name="reconnect">Makes the fresh connection for a bot that wants to reconnect (mixed scenario).</param>
    public SwarmWorker(int index, Func<Bot, Bot>? reconnect = null)
    {
        _reconnect = reconnect;
        _thread = new Thread(Run) { Name = $"bots-{index}", IsBackground = true };
    }

    public SwarmStats Stats { get; } = new();

    /// <summary>Bots this worker has taken on (read from the controller: approximate).</summary>
    public int Count => Volatile.Read(ref _count);

    private int _count;

    public void Start() => _thread.Start();

    public void Add(Bot bot) => _incoming.Enqueue(bot);

    /// <summary>Asks the worker to start its measured stage; returns once it has.</summary>
    public void ResetMeasured()
    {
        _resetDone = false;
        _resetRequested = true;
        SpinWait.SpinUntil(() => _resetDone || !_thread.IsAlive, TimeSpan.FromSeconds(5));
    }

    /// <summary>Adds this worker's echo RTTs of the last second to <paramref name="into"/> (the worker hands them over between passes).</summary>
    public void TakeSecond(Realm.Data.Monitoring.LatencyHistogram into)
    {
        _secondDone = false;
        _secondRequested = true;
        if (SpinWait.SpinUntil(() => _secondDone || !_thread.IsAlive, TimeSpan.FromSeconds(2)) && _secondDone)
        {
            into.Add(_published);
        }
    }

    /// <summary>Stops the thread, tells the server every bot is leaving, and flushes that.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread.Join();
        foreach (Bot bot in _bots)
        {
            if (bot.IsPlaying)
            {
                Stats.TransportRtt.Record((long)(bot.Peer.RoundTripMilliseconds * 1e6));
            }

            if (!bot.IsFinished)
            {
                bot.Leave();
                bot.Update(Stopwatch.GetTimestamp());
            }
        }
    }

    public void Dispose()
    {
        foreach (Bot bot in _bots)
        {
            bot.Dispose();
        }

        while (_incoming.TryDequeue(out Bot? bot))
        {
            bot.Dispose();
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            while (_incoming.TryDequeue(out Bot? bot))
            {
                _bots.Add(bot);
                Volatile.Write(ref _count, _bots.Count);
            }

            if (_secondRequested)
            {
                _secondRequested = false;
                _published.Reset();
                _published.Add(Stats.SecondRtt);
                Stats.SecondRtt.Reset();
                _secondDone = true;
            }

            if (_resetRequested)
            {
                _resetRequested = false;
                Stats.ResetMeasured();
                _resetDone = true;
            }

            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < _bots.Count; i++)
            {
                Bot bot = _bots[i];
                if (bot.IsFinished)
                {
                    continue;
                }

                if (_reconnect is not null && bot.WantsReconnect)
                {
                    bot.Leave(); // the player logs out and straight back in, on a new socket
                    bot.Update(now);
                    bot.Dispose();
                    _bots[i] = bot = _reconnect(bot);
                }

                bot.Update(now);
            }

            Thread.Sleep(1);
        }
    }
}
