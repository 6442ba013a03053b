namespace Realm.Data.Routing;

/// <summary>What a <see cref="ReplicaSet"/> last concluded about one replica.</summary>
/// <param name="Pool">The replica's pool name.</param>
/// <param name="InService">True when reads may go to it.</param>
/// <param name="LagTransactions">Transactions it lacked at the last check, or -1 when it could not be checked.</param>
/// <param name="Reason">Why it is out of service (null when in service).</param>
public readonly record struct ReplicaStatus(string Pool, bool InService, long LagTransactions, string? Reason);
