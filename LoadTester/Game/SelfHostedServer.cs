using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Realm.LoadTester.Game;

/// <summary>
/// <c>--self-host</c>: a Realm server in a child process on a free loopback port, with its own SQLite file
/// in a temporary folder; stopped with SIGINT (a graceful shutdown) when the run is over.
/// </summary>
internal sealed class SelfHostedServer : IDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    public SelfHostedServer(int maxPlayers, int connectsPerSecond)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Realm.Server.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"--self-host needs the server next to the load tester: {dll} is missing (build the solution)");
        }

        _folder = Directory.CreateTempSubdirectory("realm-loadtest-").FullName;
        int port = FreeUdpPort();
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        foreach (string argument in (string[])[dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--sqlite", Path.Combine(_folder, "realm.db"),
            $"--Game:MaxPlayers={maxPlayers}", $"--Network:MaxConnectAttemptsPerSecond={connectsPerSecond}", "--Logging:Level=Warning"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        _process.OutputDataReceived += (_, e) => Watch(e.Data);
        _process.ErrorDataReceived += (_, e) => Watch(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Lines the server wrote at warning level or above.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Waits until the server answers a login (a probe logs in), or its process ended.</summary>
    public bool WaitReady(TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < timeout && !_process.HasExited)
        {
            using var probe = new StatusProbe(EndPoint, long.MaxValue - 1);
            if (probe.WaitLoggedIn(TimeSpan.FromSeconds(1)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>SIGKILL: the server vanishes without a word (for tests of what the bots do then).</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGINT, then up to 15 s for the graceful shutdown; returns the exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            using Process? signal = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            signal?.WaitForExit();
            if (!_process.WaitForExit(15_000))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held; the temporary folder is left for the OS
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Watch(string? line)
    {
        if (line is not null && (line.Contains("warn:", StringComparison.Ordinal) || line.Contains("fail:", StringComparison.Ordinal) || line.Contains("crit:", StringComparison.Ordinal)))
        {
            lock (Problems)
            {
                Problems.Add(line);
            }
        }
    }
}
