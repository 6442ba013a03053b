using System.Diagnostics;
using Realm.Data.Locking.Internal;

namespace Realm.Server.Tests.Data.Locking;

[TestFixture]
[CancelAfter(10_000)]
public sealed class CoarseTimeoutTests
{
    [Test]
    public void CallsInOneSlice_ShareOneToken_ANewSliceGetsANewOne()
    {
        var timeouts = new CoarseTimeout(TimeSpan.FromMinutes(4), TimeProvider.System); // slices of a minute
        CancellationToken first = timeouts.Token;
        Assert.That(timeouts.Token, Is.EqualTo(first), "same slice: same token, no new timer");
        Assert.That(first.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task Token_IsCancelledNoSoonerThanTheTimeout_AndWithinAQuarterMore()
    {
        var timeouts = new CoarseTimeout(TimeSpan.FromMilliseconds(200), TimeProvider.System);
        long start = Stopwatch.GetTimestamp();
        CancellationToken token = timeouts.Token;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using CancellationTokenRegistration registration = token.Register(() => fired.SetResult());
        await fired.Task;
        TimeSpan took = Stopwatch.GetElapsedTime(start);
        Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(195)), "never before the timeout (timer granularity aside)");
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(3)), "bounded: 250 ms plus scheduling");

        CancellationToken later = timeouts.Token; // the slice is over: a fresh token, not the cancelled one
        Assert.That(later.IsCancellationRequested, Is.False);
        Assert.That(later, Is.Not.EqualTo(token));
    }
}
