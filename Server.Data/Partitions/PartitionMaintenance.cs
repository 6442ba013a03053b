namespace Realm.Data.Partitions;

/// <summary>What one maintenance run changed.</summary>
/// <param name="Created">Partitions (MariaDB) or tables (SQLite) created, oldest first.</param>
/// <param name="Dropped">Partitions or tables dropped as older than the retention, oldest first.</param>
public sealed record PartitionMaintenance(IReadOnlyList<string> Created, IReadOnlyList<string> Dropped);
