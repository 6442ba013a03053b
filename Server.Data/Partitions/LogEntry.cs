namespace Realm.Data.Partitions;

/// <summary>One row of an append-only log (currency or item movements).</summary>
/// <param name="EntryId">Unique id (the caller allocates it).</param>
/// <param name="PlayerId">Whose balance or inventory moved.</param>
/// <param name="Amount">How much (signed).</param>
/// <param name="Reason">Why, as the game's code (trade, loot, shop...).</param>
/// <param name="At">When, Unix milliseconds UTC; picks the partition.</param>
public readonly record struct LogEntry(long EntryId, long PlayerId, long Amount, int Reason, long At);
