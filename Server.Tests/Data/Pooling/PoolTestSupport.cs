using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Realm.Data.Providers;

namespace Realm.Server.Tests.Data.Pooling;

/// <summary>A clock the test moves by hand (timestamps in microseconds).</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _micros = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _micros);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _micros, (long)(by.TotalMilliseconds * 1000));
}

/// <summary>Keeps every log line, for assertions on what the pool reported.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}

internal static class PoolEndpoints
{
    /// <summary>A fresh SQLite file, or the real MariaDB from <c>./run.sh test</c> (ignored or failed when absent).</summary>
    public static DatabaseEndpoint For(DatabaseProvider provider, string name)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return Sqlite(name);
        }

        Assert.That(DatabaseEndpoint.TryCreateMySql(Integration.TestServices.RequireMySql(), out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        return endpoint!;
    }

    /// <summary>A fresh SQLite file under the test's work directory.</summary>
    public static DatabaseEndpoint Sqlite(string name)
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "pool-tests", $"{name}-{Guid.NewGuid():N}.db");
        Assert.That(DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        return endpoint!;
    }
}
