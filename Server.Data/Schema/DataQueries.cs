using Realm.Data.Queries;

namespace Realm.Data.Schema;

/// <summary>The named queries on the <see cref="DataSchema"/> tables, in both dialects.</summary>
public static class DataQueries
{
    /// <summary>Insert a player: <c>@id, @name, @now</c>.</summary>
    public const string PlayerInsert = "player.insert";

    /// <summary>Load a player: <c>@id</c> → player_id, name, zone, pos_x, pos_y, gold, fence, updated_at.</summary>
    public const string PlayerLoad = "player.load";

    /// <summary>
    /// Save a player's state if <c>@fence</c> is not older than the last accepted save's token:
    /// <c>@id, @zone, @x, @y, @gold, @fence, @now</c>. One row affected when accepted, none when stale.
    /// </summary>
    public const string PlayerSave = "player.save";

    /// <summary>Insert a player unless the row exists (no error, no warning either way): <c>@id, @name, @now</c>.</summary>
    public const string PlayerCreate = "player.create";

    /// <summary>
    /// Record a new owner's fencing token before its first save: <c>@id, @fence</c>. One row affected when the
    /// token is not older than the stored one; none when a newer owner already claimed the player. From then on
    /// every older owner's save is rejected, even before the new owner saves anything.
    /// </summary>
    public const string PlayerClaim = "player.claim";

    /// <summary>Insert an item: <c>@id, @owner, @kind, @quantity, @now</c>.</summary>
    public const string ItemInsert = "item.insert";

    /// <summary>Items of one owner by id: <c>@owner</c> → item_id, owner_id, kind, quantity, created_at (the columns of every item query).</summary>
    public const string ItemsByOwner = "item.by_owner";

    /// <summary>The newest items, newest first: <c>@limit</c> → item_id, owner_id, kind, quantity, created_at.</summary>
    public const string ItemsRecent = "item.recent";

    /// <summary>
    /// The newest items older than a cursor (keyset page), newest first: <c>@at, @id, @limit</c> → item_id, owner_id,
    /// kind, quantity, created_at; "older" is <c>(created_at, item_id) &lt; (@at, @id)</c>.
    /// </summary>
    public const string ItemsRecentBefore = "item.recent_before";

    /// <summary>A key's logical shard in the directory: <c>@key</c> → shard.</summary>
    public const string DirectoryGet = "directory.get";

    /// <summary>
    /// Record a key's shard: <c>@key, @shard, @now</c>. Fails on a key already recorded, so the caller
    /// knows whether its own placement or another server's won.
    /// </summary>
    public const string DirectoryPlace = "directory.place";

    /// <summary>Move a key to another logical shard: <c>@key, @shard, @now</c>; one row affected when the key was mapped.</summary>
    public const string DirectoryMove = "directory.move";

    /// <summary>Declares every query above in <paramref name="catalog"/>.</summary>
    public static void AddTo(QueryCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        const string load = "SELECT player_id, name, zone, pos_x, pos_y, gold, fence, updated_at FROM players WHERE player_id = @id";
        const string save = "UPDATE players SET zone = @zone, pos_x = @x, pos_y = @y, gold = @gold, fence = @fence, updated_at = @now WHERE player_id = @id AND fence <= @fence";
        const string insertItem = "INSERT INTO items (item_id, owner_id, kind, quantity, created_at) VALUES (@id, @owner, @kind, @quantity, @now)";
        const string byOwner = "SELECT item_id, owner_id, kind, quantity, created_at FROM items WHERE owner_id = @owner ORDER BY item_id";

        catalog.Add(PlayerInsert,
            mySql: "INSERT INTO players (player_id, name, updated_at) VALUES (@id, @name, @now)",
            sqlite: "INSERT INTO players (player_id, name, updated_at) VALUES (@id, @name, @now)",
            "@id", "@name", "@now");
        catalog.Add(PlayerLoad, load, load, "@id");

        // INSERT IGNORE would raise a warning on an existing row, and MySql.Data 8.0.16 cannot read SHOW WARNINGS on
        // MariaDB 10.6+ (utf8mb3 columns); ON DUPLICATE KEY UPDATE with a no-op assignment raises none.
        catalog.Add(PlayerCreate,
            mySql: "INSERT INTO players (player_id, name, updated_at) VALUES (@id, @name, @now) ON DUPLICATE KEY UPDATE player_id = player_id",
            sqlite: "INSERT INTO players (player_id, name, updated_at) VALUES (@id, @name, @now) ON CONFLICT (player_id) DO NOTHING",
            "@id", "@name", "@now");
        const string claim = "UPDATE players SET fence = @fence WHERE player_id = @id AND fence <= @fence";
        catalog.Add(PlayerClaim, claim, claim, "@id", "@fence");
        catalog.Add(PlayerSave, save, save, "@id", "@zone", "@x", "@y", "@gold", "@fence", "@now");
        catalog.Add(ItemInsert, insertItem, insertItem, "@id", "@owner", "@kind", "@quantity", "@now");
        catalog.Add(ItemsByOwner, byOwner, byOwner, "@owner");

        // The row comparison is spelled out: both dialects then use ix_items_created for the range.
        const string recent = "SELECT item_id, owner_id, kind, quantity, created_at FROM items ORDER BY created_at DESC, item_id DESC LIMIT @limit";
        const string recentBefore = "SELECT item_id, owner_id, kind, quantity, created_at FROM items WHERE created_at < @at OR (created_at = @at AND item_id < @id) ORDER BY created_at DESC, item_id DESC LIMIT @limit";
        catalog.Add(ItemsRecent, recent, recent, "@limit");
        catalog.Add(ItemsRecentBefore, recentBefore, recentBefore, "@at", "@id", "@limit");

        const string directoryGet = "SELECT shard FROM shard_directory WHERE entity_key = @key";
        const string directoryMove = "UPDATE shard_directory SET shard = @shard, updated_at = @now WHERE entity_key = @key";
        catalog.Add(DirectoryGet, directoryGet, directoryGet, "@key");
        // A plain INSERT: MySql.Data reports found rows, so an ON DUPLICATE KEY no-op would also count 1 and
        // the caller could not tell its placement from another server's; the duplicate-key error tells.
        const string directoryPlace = "INSERT INTO shard_directory (entity_key, shard, updated_at) VALUES (@key, @shard, @now)";
        catalog.Add(DirectoryPlace, directoryPlace, directoryPlace, "@key", "@shard", "@now");
        catalog.Add(DirectoryMove, directoryMove, directoryMove, "@key", "@shard", "@now");
    }
}
