using System.Data.Common;

namespace Realm.Data.Pooling.Internal;

/// <summary>One slot of a pool: its connection (if any) and the state that the lock-free paths CAS.</summary>
internal sealed class PoolEntry
{
    /// <summary>No connection; may be claimed to open one.</summary>
    public const int Empty = 0;

    /// <summary>An open connection ready to hand out.</summary>
    public const int Idle = 1;

    /// <summary>Handed out.</summary>
    public const int Leased = 2;

    /// <summary>Claimed by the pool itself: being opened, validated or closed.</summary>
    public const int Busy = 3;

    public PoolEntry(int index) => Index = index;

    public int Index { get; }

    /// <summary>One of the constants above; changed with <see cref="Interlocked.CompareExchange(ref int, int, int)"/> from Empty or Idle, plain-written by the owner otherwise.</summary>
    public int State;

    /// <summary>Bumped on every hand-out, so a lease copied and disposed twice releases once.</summary>
    public int Generation = 1; // never 0, which BrokenGeneration uses for "none"

    /// <summary>The generation whose lease was pinged by validation just before hand-out (0: none).</summary>
    public int ValidatedGeneration;

    /// <summary>The generation whose lease reported the connection broken (0: none).</summary>
    public int BrokenGeneration;

    public DbConnection? Connection;

    /// <summary>This connection's prepared command per named query (created on first use, disposed with the connection).</summary>
    public Dictionary<Queries.NamedQuery, DbCommand>? Commands;

    /// <summary>Pool clock (ms) when the connection must be replaced; long.MaxValue for never.</summary>
    public long ExpiresAt;

    /// <summary>Pool clock (ms) when it was last returned (or opened); validation is skipped when recent. 0: check before the next use.</summary>
    public long LastUsed;

    /// <summary>Pool clock (ms) of the current lease.</summary>
    public long LeasedAt;

    /// <summary>Where the current lease was taken, for leak reports: caller member, file and line.</summary>
    public string? LeaseCaller;

    public string? LeaseFile;

    public int LeaseLine;

    public bool LeakReported;
}
