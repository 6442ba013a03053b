namespace Realm.Data.Routing;

/// <summary>Counters of a <see cref="ReplicaSet"/> since it was created.</summary>
/// <param name="ReplicaReads">Reads served by a replica.</param>
/// <param name="PrimaryReads">Reads served by the primary (no replica in service, or a fallback).</param>
/// <param name="GtidWaits">Reads that waited for a replica to apply the caller's writes.</param>
/// <param name="GtidWaitsSkipped">Reads whose writes the chosen replica was already known to have applied.</param>
/// <param name="Fallbacks">Reads that went to the primary after a replica timed out applying the caller's writes or failed.</param>
/// <param name="TakenOut">Times a replica left the read rotation.</param>
/// <param name="PutBack">Times a replica came back into it.</param>
public readonly record struct ReplicaSetStatistics(long ReplicaReads, long PrimaryReads, long GtidWaits, long GtidWaitsSkipped, long Fallbacks, long TakenOut, long PutBack);
