using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Hosting;

/// <summary>Entry point: configuration, logging, start, wait for a signal, clean stop.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!RealmConfiguration.TryBuild(AppContext.BaseDirectory, args, out IConfiguration configuration, out string? argumentError))
        {
            await Console.Error.WriteLineAsync($"realm: {argumentError}");
            return ExitCodes.BadOptions;
        }

        if (!RealmOptions.TryRead(configuration, out RealmOptions options, out IReadOnlyList<OptionError> errors))
        {
            await Console.Error.WriteLineAsync($"realm: invalid configuration ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}); nothing was started:");
            foreach (OptionError error in errors)
            {
                await Console.Error.WriteLineAsync($"  {error}");
            }

            return ExitCodes.BadOptions;
        }

        using ILoggerFactory loggerFactory = CreateLoggerFactory(options.Logging.Level);
        ILogger logger = loggerFactory.CreateLogger("Realm.Server");
        using var shutdown = new ShutdownSignal();

        HostStartResult start;
        try
        {
            start = await RealmHost.StartAsync(options, loggerFactory, shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            HostLog.ShuttingDown(logger, "signal during start-up");
            return ExitCodes.StartFailed;
        }

        if (!start.Succeeded)
        {
            return ExitCodes.StartFailed;
        }

        await using RealmHost host = start.Host!;
        try
        {
            await Task.Delay(Timeout.Infinite, shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            string reason = shutdown.Received is { } signal ? signal.ToString() : "signal";
            HostLog.ShuttingDown(logger, reason);
        }

        await host.StopAsync();
        return ExitCodes.Clean;
    }

    internal static ILoggerFactory CreateLoggerFactory(LogLevel level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level)
        .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Error)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        }));
}
