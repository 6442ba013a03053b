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

    /// <summary>Items of one owner by id: <c>@owner</c> → item_id, kind, quantity, created_at.</summary>
    public const string ItemsByOwner = "item.by_owner";

    /// <summary>Declares every query above in <paramref name="catalog"/>.</summary>
    public static void AddTo(QueryCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        const string load = "SELECT player_id, name, zone, pos_x, pos_y, gold, fence, updated_at FROM players WHERE player_id = @id";
        const string save = "UPDATE players SET zone = @zone, pos_x = @x, pos_y = @y, gold = @gold, fence = @fence, updated_at = @now WHERE player_id = @id AND fence <= @fence";
        const string insertItem = "INSERT INTO items (item_id, owner_id, kind, quantity, created_at) VALUES (@id, @owner, @kind, @quantity, @now)";
        const string byOwner = "SELECT item_id, kind, quantity, created_at FROM items WHERE owner_id = @owner ORDER BY item_id";

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
    }
}
