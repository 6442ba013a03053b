using Realm.Data.Partitions;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Data.Routing;

namespace Realm.Server.Tests.Data.Partitions;

/// <summary>A wall clock the test sets.</summary>
internal sealed class SetClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Time partitions against real MariaDB (<c>PARTITION BY RANGE</c>) and SQLite (a table per period).</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.MySql, Category = "Integration")]
[CancelAfter(60_000)]
public sealed class TimePartitionedLogTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 12, 2, 13, 30, 0, TimeSpan.Zero);
    private readonly DatabaseProvider _provider;
    private ShardDatabases _databases = null!;
    private ConnectionPool _pool = null!;

    public TimePartitionedLogTests(DatabaseProvider provider) => _provider = provider;

    private string P(string suffix) => _provider == DatabaseProvider.MySql ? "p" + suffix : "currency_log_" + suffix;

    [SetUp]
    public async Task SetUp()
    {
        _databases = new ShardDatabases(_provider);
        _pool = await _databases.CreateAsync("logs");
    }

    [TearDown]
    public async Task TearDown() => await _databases.DisposeAsync();

    [Test]
    public async Task Names_DailyAndMonthly_FollowTheUtcPeriod()
    {
        await using var daily = new TimePartitionedLog(_pool, new TimePartitionOptions());
        await using var monthly = new TimePartitionedLog(_pool, new TimePartitionOptions { Period = PartitionPeriod.Monthly });
        var lateInBerlin = new DateTimeOffset(2026, 12, 3, 0, 30, 0, TimeSpan.FromHours(1)); // 23:30 UTC on the 2nd
        Assert.Multiple(() =>
        {
            Assert.That(daily.PartitionOf(lateInBerlin), Is.EqualTo(P("20261202")));
            Assert.That(monthly.PartitionOf(new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero)), Is.EqualTo(P("202612")));
            Assert.That(monthly.PartitionOf(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)), Is.EqualTo(P("202701")));
            Assert.That(daily.PartitionsFor(Day0, Day0.AddDays(2)), Is.EqualTo(new[] { P("20261202"), P("20261203"), P("20261204") }));
            Assert.That(daily.PartitionsFor(Day0, Day0.Date.AddDays(1)), Is.EqualTo(new[] { P("20261202") }), "the end is exclusive");
            Assert.That(monthly.PartitionsFor(Day0, Day0.AddMonths(2)), Is.EqualTo(new[] { P("202612"), P("202701"), P("202702") }));
        });
    }

    [Test]
    public async Task Maintain_CreatesAhead_DropsBeyondRetention_AndIsIdempotent()
    {
        var clock = new SetClock(Day0);
        await using var log = new TimePartitionedLog(_pool, new TimePartitionOptions { CreateAhead = 2, Retention = 3 }, clock);

        PartitionMaintenance first = await log.MaintainAsync();
        Assert.That(first.Created, Is.EqualTo(new[] { P("20261202"), P("20261203"), P("20261204") }));
        Assert.That(first.Dropped, Is.Empty);
        PartitionMaintenance again = await log.MaintainAsync();
        Assert.That(again.Created, Is.Empty, "nothing new the same day");
        Assert.That(again.Dropped, Is.Empty);

        await log.AppendAsync(Entry(1, Day0));
        clock.Now = Day0.AddDays(4); // the 6th: keep the 4th to the 6th, create up to the 8th
        PartitionMaintenance later = await log.MaintainAsync();
        Assert.That(later.Created, Is.EqualTo(new[] { P("20261205"), P("20261206"), P("20261207"), P("20261208") }), "no gap after the newest");
        Assert.That(later.Dropped, Is.EqualTo(new[] { P("20261202"), P("20261203") }));
        Assert.That(await log.ListAsync(), Is.EqualTo(new[] { P("20261204"), P("20261205"), P("20261206"), P("20261207"), P("20261208") }));
        Assert.That(await log.ReadAsync(Day0.AddDays(-1), Day0.AddDays(10)), Is.Empty, "the dropped period's rows went with it");
    }

    [Test]
    public async Task Appends_LandInThePartitionOfTheirTime_AndRangeReadsReturnExactlyTheRange()
    {
        await using var log = new TimePartitionedLog(_pool, new TimePartitionOptions { CreateAhead = 3, Retention = 10 }, new SetClock(Day0));
        await log.MaintainAsync();
        var random = new Random(12);
        var all = new List<LogEntry>();
        var perPeriod = new Dictionary<string, int>();
        for (int i = 0; i < 300; i++)
        {
            DateTimeOffset at = Day0.Date.AddMilliseconds(random.NextInt64((long)TimeSpan.FromDays(4).TotalMilliseconds));
            LogEntry entry = Entry(i, at);
            await log.AppendAsync(entry);
            all.Add(entry);
            string period = log.PartitionOf(at);
            perPeriod[period] = perPeriod.GetValueOrDefault(period) + 1;
        }

        Assert.That(perPeriod.Keys, Has.Count.EqualTo(4));
        foreach ((string period, int count) in perPeriod)
        {
            Assert.That(await CountInAsync(period), Is.EqualTo(count), $"rows stored in {period}");
        }

        for (int i = 0; i < 30; i++)
        {
            DateTimeOffset from = Day0.Date.AddMinutes(random.Next(-600, 6_000));
            DateTimeOffset to = from.AddMinutes(random.Next(0, 3_000));
            long a = from.ToUnixTimeMilliseconds(), b = to.ToUnixTimeMilliseconds();
            List<LogEntry> expected = [.. all.Where(e => e.At >= a && e.At < b).OrderBy(e => e.At).ThenBy(e => e.EntryId)];
            Assert.That(await log.ReadAsync(from, to), Is.EqualTo(expected), $"[{from:O}, {to:O})");
        }
    }

    [Test]
    public async Task Append_BeyondThePartitionsCreatedAhead_IsAClearError_AndNothingIsStored()
    {
        await using var log = new TimePartitionedLog(_pool, new TimePartitionOptions { CreateAhead = 1 }, new SetClock(Day0));
        await log.MaintainAsync();
        DateTimeOffset tooLate = Day0.AddDays(5);
        Assert.That(async () => await log.AppendAsync(Entry(1, tooLate)),
            Throws.InvalidOperationException.With.Message.Contain("no partition").And.Message.Contain(log.PartitionOf(tooLate)));
        Assert.That(await log.ReadAsync(Day0.AddDays(-30), Day0.AddDays(30)), Is.Empty);
    }

    [Test]
    public async Task Start_RunsMaintenanceInTheBackground_UntilDisposed()
    {
        await using var log = new TimePartitionedLog(_pool, new TimePartitionOptions { CreateAhead = 1 }, new SetClock(Day0));
        Assert.That(await log.ListAsync(), Is.Empty);
        log.Start(TimeSpan.FromMilliseconds(20));
        await Locking.LockTestSupport.WaitUntilAsync(() => log.ListAsync().GetAwaiter().GetResult().Count == 2, TimeSpan.FromSeconds(20), "the background run created today and tomorrow");
        Assert.That(await log.ListAsync(), Is.EqualTo(new[] { P("20261202"), P("20261203") }));
    }

    [Test]
    public void Options_Invalid_NameEveryProblem()
    {
        var bad = new TimePartitionOptions { Table = "Bad-Name", CreateAhead = 0, Retention = 0 };
        Assert.That(() => new TimePartitionedLog(_pool, bad), Throws.ArgumentException
            .With.Message.Contain("Table").And.Message.Contain("CreateAhead").And.Message.Contain("Retention"));
    }

    private static LogEntry Entry(long id, DateTimeOffset at) => new(id, PlayerId: 1 + (id % 7), Amount: id * 10 - 500, Reason: (int)(id % 3), at.ToUnixTimeMilliseconds());

    /// <summary>Rows physically in one partition (MariaDB: <c>PARTITION (p)</c>) or period table (SQLite).</summary>
    private Task<long> CountInAsync(string period) => ShardDatabases.ScalarOnAsync(_pool,
        _provider == DatabaseProvider.MySql ? $"SELECT COUNT(*) FROM currency_log PARTITION ({period})" : $"SELECT COUNT(*) FROM {period}");
}
