namespace Realm.Data.Locking.Internal;

/// <summary>What <see cref="RenewalScheduler"/> keeps: a lock handle, or a test's stand-in.</summary>
internal interface IScheduledWork
{
    /// <summary>False once released or lost: the scheduler drops it.</summary>
    bool IsActive { get; }

    /// <summary>The scheduler's: the position in its heap, −1 when not waiting.</summary>
    int HeapIndex { get; set; }

    /// <summary>The scheduler's: the timestamp it waits for.</summary>
    long Due { get; set; }

    /// <summary>Called once at <see cref="Due"/>, outside the scheduler's lock, on a timer thread; must not throw.</summary>
    void OnDue();
}

/// <summary>
/// One timer for every handle of a lock instance: a min-heap of handles by the timestamp at which each next
/// needs attention (renewal, or the end of its validity), and one <see cref="ITimer"/> set for the earliest.
/// </summary>
/// <remarks>
/// A timer per handle (a <c>Task.Delay</c> in each watchdog) costs a timer, a task and a state machine per
/// acquisition, and a server that keeps thousands of players' locks renewed reprograms the timer queue for
/// each. Here an acquisition costs a heap insert under a lock; the timer only moves when the new entry is
/// the earliest, which with equal leases is only when the heap was empty. Entries carry their heap index, so
/// a release removes its handle at once instead of leaving it until it is due.
/// Due handles are taken out of the heap and called outside the lock; a handle puts itself back when its
/// renewal has finished (<see cref="IScheduledWork.OnDue"/>).
/// </remarks>
internal sealed class RenewalScheduler
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private IScheduledWork[] _heap = new IScheduledWork[16];
    private int _count;
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;
    private bool _shutDown;

    public RenewalScheduler(TimeProvider time) => _time = time;

    /// <summary>Handles waiting; tests read it.</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Calls <see cref="IScheduledWork.OnDue"/> at <paramref name="due"/> (a <see cref="TimeProvider"/> timestamp),
    /// unless the handle is no longer held or is taken out first. A handle already waiting is moved.</summary>
    public void Schedule(IScheduledWork handle, long due)
    {
        lock (_gate)
        {
            // Checked under the lock: a release sets the state before it calls Cancel, so a handle released
            // while its renewal finished is either seen here or removed by that Cancel.
            if (!handle.IsActive)
            {
                return;
            }

            if (handle.HeapIndex >= 0)
            {
                RemoveAt(handle.HeapIndex);
            }

            handle.Due = due;
            if (_count == _heap.Length)
            {
                Array.Resize(ref _heap, _count * 2);
            }

            _heap[_count] = handle;
            handle.HeapIndex = _count;
            _count++;
            SiftUp(handle.HeapIndex);
            if (due < _armedFor)
            {
                Arm(due);
            }
        }
    }

    /// <summary>Takes the handle out; it will not be called. Harmless when it is not waiting.</summary>
    public void Cancel(IScheduledWork handle)
    {
        lock (_gate)
        {
            if (handle.HeapIndex >= 0)
            {
                RemoveAt(handle.HeapIndex);
            }
        }
    }

    /// <summary>
    /// The lock instance is closing. Handles still waiting keep their loss signal (their renewals fail from now
    /// on, so each reaches the end of its validity); the timer is released once none is left.
    /// </summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            _shutDown = true;
            ReleaseTimerIfIdle();
        }
    }

    private void OnTimer()
    {
        // One due handle per turn of the lock, called outside it (OnDue may schedule again). Two callbacks can
        // overlap when a Schedule re-armed the timer meanwhile; each takes different handles.
        while (true)
        {
            IScheduledWork handle;
            lock (_gate)
            {
                if (_count == 0 || _heap[0].Due > _time.GetTimestamp())
                {
                    _armedFor = long.MaxValue;
                    if (_count > 0)
                    {
                        Arm(_heap[0].Due);
                    }
                    else
                    {
                        ReleaseTimerIfIdle();
                    }

                    return;
                }

                handle = _heap[0];
                RemoveAt(0);
            }

            if (handle.IsActive)
            {
                handle.OnDue();
            }
        }
    }

    private void Arm(long due)
    {
        _armedFor = due;
        TimeSpan wait = due <= _time.GetTimestamp() ? TimeSpan.Zero : _time.GetElapsedTime(_time.GetTimestamp(), due);
        if (_timer is null)
        {
            _timer = _time.CreateTimer(static state => ((RenewalScheduler)state!).OnTimer(), this, wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }
    }

    private void ReleaseTimerIfIdle()
    {
        if (_shutDown && _count == 0 && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
            _armedFor = long.MaxValue;
        }
    }

    private void RemoveAt(int index)
    {
        IScheduledWork removed = _heap[index];
        removed.HeapIndex = -1;
        _count--;
        if (index == _count)
        {
            _heap[_count] = null!;
            return;
        }

        IScheduledWork last = _heap[_count];
        _heap[_count] = null!;
        _heap[index] = last;
        last.HeapIndex = index;
        if (index > 0 && last.Due < _heap[(index - 1) / 2].Due)
        {
            SiftUp(index);
        }
        else
        {
            SiftDown(index);
        }
    }

    private void SiftUp(int index)
    {
        IScheduledWork item = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            IScheduledWork above = _heap[parent];
            if (above.Due <= item.Due)
            {
                break;
            }

            _heap[index] = above;
            above.HeapIndex = index;
            index = parent;
        }

        _heap[index] = item;
        item.HeapIndex = index;
    }

    private void SiftDown(int index)
    {
        IScheduledWork item = _heap[index];
        while (true)
        {
            int child = 2 * index + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _heap[child + 1].Due < _heap[child].Due)
            {
                child++;
            }

            IScheduledWork below = _heap[child];
            if (item.Due <= below.Due)
            {
                break;
            }

            _heap[index] = below;
            below.HeapIndex = index;
            index = child;
        }

        _heap[index] = item;
        item.HeapIndex = index;
    }
}
