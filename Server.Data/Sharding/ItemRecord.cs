namespace Realm.Data.Sharding;

/// <summary>An item row; it lives on its owner's shard.</summary>
/// <param name="ItemId">Unique across every shard (the caller allocates it; pages break ties on it).</param>
/// <param name="OwnerId">The owning player; routes the item.</param>
/// <param name="Kind">Item type.</param>
/// <param name="Quantity">Stack size.</param>
/// <param name="CreatedAt">Creation time, Unix milliseconds; pages are ordered by it.</param>
public readonly record struct ItemRecord(long ItemId, long OwnerId, int Kind, int Quantity, long CreatedAt);
