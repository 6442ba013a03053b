using Realm.Data.Pooling;

namespace Realm.Data.Routing;

/// <summary>A connection for one read, from a replica or (when none could serve it) the primary; give it back by disposing.</summary>
#pragma warning disable CA1815 // a lease is a handle, not a value: comparing leases means nothing
public readonly struct ReplicaLease : IAsyncDisposable
#pragma warning restore CA1815
{
    internal ReplicaLease(PooledConnection connection, bool fromReplica)
    {
        Connection = connection;
        FromReplica = fromReplica;
    }

    /// <summary>The leased connection; run the read on it.</summary>
    public PooledConnection Connection { get; }

    /// <summary>True when the connection is a replica's; false when it is the primary's.</summary>
    public bool FromReplica { get; }

    /// <summary>The pool the connection came from.</summary>
    public ConnectionPool Pool => Connection.Pool;

    /// <summary>Gives the connection back to its pool.</summary>
    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
