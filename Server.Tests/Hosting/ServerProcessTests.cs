using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Tests.Hosting;

/// <summary>The real executable, as <c>./run.sh</c> starts it: exit codes, messages, signals.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ServerProcessTests
{
    private const int Sigint = 2;
    private const int Sigterm = 15;

    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-process-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Start_BadOption_ExitsWithCode2AndNamesKeyValueAndAllowed(CancellationToken ct)
    {
        using var server = new ServerProcess(_folder, "--Network:Port=seventy", "--Logging:Level=Loud");
        int code = await server.WaitForExitAsync(ct);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(server.Stderr, Does.Contain("Network:Port = \"seventy\" is not allowed: a whole number from 0 to 65535"));
            Assert.That(server.Stderr, Does.Contain("Logging:Level = \"Loud\" is not allowed: one of Trace"));
            Assert.That(server.Stdout, Does.Not.Contain("Listening"), "nothing was started");
        });
    }

    [Test]
    public async Task Start_StrayArgument_ExitsWithCode2(CancellationToken ct)
    {
        using var server = new ServerProcess(_folder, "7778");
        Assert.That(await server.WaitForExitAsync(ct), Is.EqualTo(2));
        Assert.That(server.Stderr, Does.Contain("unexpected argument \"7778\""));
    }

    [Test]
    public async Task Start_PortInUse_ExitsWithCode3AndNamesThePort(CancellationToken ct)
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        string port = ((IPEndPoint)holder.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture);

        using var server = new ServerProcess(_folder, "--port", port);
        int code = await server.WaitForExitAsync(ct);
        Assert.That(code, Is.EqualTo(3));
        Assert.That(server.Stderr, Does.Contain($"UDP port {port} on 127.0.0.1 is already in use"));
    }

    [TestCase(Sigint, "SIGINT")]
    [TestCase(Sigterm, "SIGTERM")]
    public async Task Signal_WhileRunning_StopsCleanlyWithCode0(int signal, string name, CancellationToken ct)
    {
        using var server = new ServerProcess(_folder, "--port", "0");
        await server.Ready.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Multiple(() =>
        {
            Assert.That(server.Stdout, Does.Contain("Listening on UDP 127.0.0.1:"), "logs its UDP endpoint");
            Assert.That(server.Stdout, Does.Contain($"Database: Sqlite at {Path.Combine(_folder, "data", "realm.db")}"), "logs its database path");
        });

        server.Signal(signal);
        int code = await server.WaitForExitAsync(ct);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(0), server.Stderr);
            Assert.That(server.Stdout, Does.Contain($"Shutting down ({name})"));
            Assert.That(server.Stdout, Does.Contain("Stopped cleanly"));
            Assert.That(server.Stderr, Is.Empty);
        });
    }
}
