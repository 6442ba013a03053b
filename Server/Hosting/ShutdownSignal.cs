using System.Runtime.InteropServices;

namespace Realm.Server.Hosting;

/// <summary>
/// Turns SIGINT (Ctrl+C), SIGTERM and SIGQUIT into a cancellation token so the server can stop cleanly.
/// A second signal while stopping is left to its default action, so a stuck shutdown can still be killed.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _quit;
    private int _signalCount;

    public ShutdownSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
    }

    /// <summary>Cancelled when the first signal arrives.</summary>
    public CancellationToken Token => _requested.Token;

    /// <summary>The first signal received, for the log.</summary>
    public PosixSignal? Received { get; private set; }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _quit.Dispose();

        _requested.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Signal handlers run on a runtime thread; Interlocked decides which signal is the first.
        if (Interlocked.Increment(ref _signalCount) == 1)
        {
            Received = context.Signal;
            context.Cancel = true;
            _requested.Cancel();
        }
    }
}
