using System.Diagnostics;
using Realm.Data.Locking;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Data.Locking;
using Realm.Server.Tests.Data.Pooling;

namespace Realm.Server.Tests.Data.Ownership;

/// <summary>
/// One owner per player, with two "servers" A and B sharing the database and (for the Redis kinds) the lock
/// service through separate connections, as two processes would.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite, LockKind.InProcess)]
[TestFixture(DatabaseProvider.MySql, LockKind.InProcess)]
[TestFixture(DatabaseProvider.MySql, LockKind.Redis)]
[TestFixture(DatabaseProvider.MySql, LockKind.Redlock)]
[Category("Integration")]
[CancelAfter(120_000)]
public sealed class PlayerOwnershipTests(DatabaseProvider provider, LockKind kind)
{
    private static readonly TimeSpan PausedLease = TimeSpan.FromMilliseconds(100);
    private ConnectionPool _pool = null!;
    private PlayerStore _store = null!;
    private DistributedLock _locksA = null!;
    private DistributedLock _locksB = null!;
    private readonly ListLogger _logA = new();

    [SetUp]
    public async Task SetUp()
    {
        (_pool, _store) = await PlayerStoreSupport.CreateAsync(provider, "ownership", 8);

        // Server A stops renewing, as a process paused by a GC or a VM stall would. In-process locks exist
        // once per process, so there both "servers" share one instance.
        _locksA = await LockTestSupport.CreateAsync(kind, new LockOptions { AutoRenew = false });
        _locksB = kind == LockKind.InProcess ? _locksA : await LockTestSupport.CreateAsync(kind);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (!ReferenceEquals(_locksB, _locksA))
        {
            await _locksB.DisposeAsync();
        }

        await _locksA.DisposeAsync();
        await _pool.DisposeAsync();
    }

    [Test]
    public async Task Claim_NewPlayer_CreatesTheRowCarryingTheOwnersToken()
    {
        PlayerOwnership b = ServerB();
        long id = NewPlayerId();

        ClaimResult claim = await b.ClaimAsync(id, "Ayla");

        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        await using PlayerOwner owner = claim.Owner!;
        Assert.That(owner.IsOwned, Is.True);
        Assert.That((owner.Loaded.PlayerId, owner.Loaded.Name, owner.Loaded.Gold), Is.EqualTo((id, "Ayla", 0L)));
        Assert.That(owner.Loaded.Fence, Is.EqualTo(owner.FencingToken));
        Assert.That((await _store.LoadAsync(id))!.Value.Fence, Is.EqualTo(owner.FencingToken));
    }

    [Test]
    public async Task Claim_PlayerOwnedElsewhereForTheWholeWait_IsRefusedWithReason()
    {
        long id = NewPlayerId();
        ClaimResult first = await ServerB().ClaimAsync(id, "Bo");
        Assert.That(first.Status, Is.EqualTo(ClaimStatus.Owned), first.Reason);
        await using PlayerOwner owner = first.Owner!;
        var other = new PlayerOwnership(_locksA, _store, new PlayerOwnershipOptions { LoginWait = TimeSpan.FromMilliseconds(300) });

        long start = Stopwatch.GetTimestamp();
        ClaimResult second = await other.ClaimAsync(id, "Bo");

        Assert.That(second.Status, Is.EqualTo(ClaimStatus.OwnedElsewhere));
        Assert.That(second.Reason, Is.EqualTo("still logged in elsewhere"));
        Assert.That(second.Owner, Is.Null);
        Assert.That(Stopwatch.GetElapsedTime(start), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(295)), "refused without waiting");
        Assert.That(owner.IsOwned, Is.True, "the refused login disturbed the owner");
    }

    [Test]
    public async Task Claim_OwnerLogsOutDuringTheWait_NextServerGetsThePlayerWithTheLastSave()
    {
        long id = NewPlayerId();
        PlayerOwnership b = ServerB();
        ClaimResult first = await b.ClaimAsync(id, "Cy");
        Assert.That(first.Status, Is.EqualTo(ClaimStatus.Owned), first.Reason);
        Task<ClaimResult> waiting = ServerB().ClaimAsync(id, "Cy");
        await Task.Delay(50);
        Assert.That((await b.SaveAsync(first.Owner!, new PlayerState(2, 30, 40, 777))).Outcome, Is.EqualTo(SaveOutcome.Saved));
        await first.Owner!.DisposeAsync(); // logout

        ClaimResult second = await waiting;

        Assert.That(second.Status, Is.EqualTo(ClaimStatus.Owned), second.Reason);
        await using PlayerOwner next = second.Owner!;
        Assert.That((next.Loaded.Zone, next.Loaded.X, next.Loaded.Y, next.Loaded.Gold), Is.EqualTo((2, 30, 40, 777L)));
        Assert.That(next.FencingToken, Is.GreaterThan(first.Owner.FencingToken));
    }

    [Test]
    public async Task PausedHolder_SavesAfterANewOwnerClaimed_IsRejectedByTheDatabaseEveryTime()
    {
        // Kleppmann's case: A holds the player, stops renewing and stalls past its lease; B claims the player
        // (and in half the rounds saves); A wakes up and saves as if it still owned the player.
        const int Rounds = 15;
        PlayerOwnership a = new(_locksA, _store, new PlayerOwnershipOptions { Lease = PausedLease }, _logA);
        PlayerOwnership b = ServerB();
        int rejected = 0;
        for (int round = 0; round < Rounds; round++)
        {
            long id = NewPlayerId();
            ClaimResult claimA = await a.ClaimAsync(id, "Dee");
            Assert.That(claimA.Status, Is.EqualTo(ClaimStatus.Owned), claimA.Reason);
            PlayerOwner ownerA = claimA.Owner!;
            Assert.That((await a.SaveAsync(ownerA, new PlayerState(1, 1, 1, round))).Outcome, Is.EqualTo(SaveOutcome.Saved));

            ClaimResult claimB = await b.ClaimAsync(id, "Dee"); // waits until A's lease has run out
            Assert.That(claimB.Status, Is.EqualTo(ClaimStatus.Owned), claimB.Reason);
            PlayerOwner ownerB = claimB.Owner!;
            Assert.That(ownerB.Loaded.Gold, Is.EqualTo(round), "B did not see A's last accepted save");
            bool bSaved = round % 2 == 0;
            if (bSaved)
            {
                Assert.That((await b.SaveAsync(ownerB, new PlayerState(1, 2, 2, 1000 + round))).Outcome, Is.EqualTo(SaveOutcome.Saved));
            }

            SaveResult late = await a.SaveAsync(ownerA, new PlayerState(9, 9, 9, 999_999));

            Assert.That(late.Outcome, Is.EqualTo(SaveOutcome.StaleOwner), $"round {round}: the paused holder's save was accepted");
            rejected += late.Outcome == SaveOutcome.StaleOwner ? 1 : 0;
            Assert.That(ownerA.Ended.IsCancellationRequested, Is.True);
            Assert.That(ownerA.EndReason, Does.StartWith("stale owner").Or.Contain("lease"));
            Assert.That(ownerA.IsOwned, Is.False);
            PlayerRecord stored = (await _store.LoadAsync(id))!.Value;
            Assert.That(stored.Gold, Is.EqualTo(bSaved ? 1000 + round : round), "the stored state is not the new owner's");
            Assert.That(stored.Fence, Is.EqualTo(ownerB.FencingToken));
            Assert.That(ownerB.IsOwned, Is.True);
            await ownerA.DisposeAsync();
            await ownerB.DisposeAsync();
        }

        Assert.That(rejected, Is.EqualTo(Rounds));
        Assert.That(_logA.Entries.Count(e => e.Message.Contains("stale owner", StringComparison.Ordinal)), Is.EqualTo(Rounds));
    }

    [Test]
    public async Task LeaseLost_WithNobodyElseClaiming_EndsTheOwnerButItsLastSaveIsKept()
    {
        var a = new PlayerOwnership(_locksA, _store, new PlayerOwnershipOptions { Lease = PausedLease });
        long id = NewPlayerId();
        ClaimResult claim = await a.ClaimAsync(id, "Eve");
        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        await using PlayerOwner owner = claim.Owner!;
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = owner.Ended.Register(() => ended.TrySetResult());

        await ended.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(owner.EndReason, Does.Contain("lease was lost"));
        Assert.That(owner.IsOwned, Is.False);
        SaveResult save = await a.SaveAsync(owner, new PlayerState(3, 4, 5, 42));
        Assert.That(save.Outcome, Is.EqualTo(SaveOutcome.Saved), "nobody else claimed the player: the final save must not be lost");
        Assert.That((await _store.LoadAsync(id))!.Value.Gold, Is.EqualTo(42));
    }

    [Test]
    public async Task Claim_RowCarriesANewerTokenThanTheLock_IsRefused()
    {
        // A lock service that lost its state hands out a token below the one a live owner stored.
        long id = NewPlayerId();
        ClaimResult claim = await ServerB().ClaimAsync(id, "Fay");
        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        long stored = claim.Owner!.FencingToken + 1_000_000_000_000;
        Assert.That(await _store.SaveAsync(id, new PlayerState(0, 0, 0, 5), stored), Is.True);
        await claim.Owner.DisposeAsync();

        ClaimResult again = await ServerB().ClaimAsync(id, "Fay");

        Assert.That(again.Status, Is.EqualTo(ClaimStatus.OwnedElsewhere));
        LockAcquisition free = await _locksB.TryAcquireAsync(PlayerOwnership.Resource(id), TimeSpan.FromSeconds(1), TimeSpan.Zero);
        Assert.That(free.Acquired, Is.True, "the refused claim kept the lock");
        await free.Handle!.DisposeAsync();
    }

    private static long NewPlayerId() => Random.Shared.NextInt64(1, long.MaxValue);

    private PlayerOwnership ServerB() => new(_locksB, _store, new PlayerOwnershipOptions { Lease = TimeSpan.FromSeconds(2), LoginWait = TimeSpan.FromSeconds(5) });
}
