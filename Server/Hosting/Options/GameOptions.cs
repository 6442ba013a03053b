namespace Realm.Server.Hosting.Options;

/// <summary>The game host: tick, capacity, world layout, movement and chat rules (configuration section <c>Game</c>).</summary>
internal sealed class GameOptions
{
    /// <summary>Logic ticks per second. Default 30 (20–30 Hz is MMO practice; 60–64 for action games). Range 1–128.</summary>
    public int TickRate { get; init; } = 30;

    /// <summary>Ticks run back to back after a stall before the schedule skips ahead. Default 3.</summary>
    public int MaxCatchUpTicks { get; init; } = 3;

    /// <summary>Players online at once; further logins are refused with "server full". Default 2000.</summary>
    public int MaxPlayers { get; init; } = 2000;

    /// <summary>Zones (separate maps) on this server, numbered from 0. Default 4.</summary>
    public int Zones { get; init; } = 4;

    /// <summary>Side of every square zone, in centimetres. Default 100,000 (1 km).</summary>
    public int ZoneSize { get; init; } = 100_000;

    /// <summary>
    /// Side of an area-of-interest cell, in centimetres. Default 2,500 (25 m): a player sees the 3 × 3 cells
    /// around its own, so 75 m across. Smaller cells send less per player and cost more enter/leave events.
    /// </summary>
    public int CellSize { get; init; } = 2_500;

    /// <summary>
    /// Where a new player (no saved position) appears: in zone 0, at a point within this
    /// many centimetres of the zone's centre, fixed per player id (a hash), so players spread over the map
    /// instead of piling up in one cell. Default −1: anywhere in the zone. 0: the centre.
    /// </summary>
    public int SpawnRadius { get; init; } = -1;

    /// <summary>Fastest a player may move, in cm/s; a move beyond it is corrected. Default 1,000 (10 m/s).</summary>
    public int MaxSpeed { get; init; } = 1_000;

    /// <summary>Longest chat line in UTF-8 bytes; longer ones get an error. Default 200.</summary>
    public int ChatMaxBytes { get; init; } = 200;

    /// <summary>Chat lines a player may send per 10 s before being rate-limited. Default 5.</summary>
    public int ChatLinesPer10Seconds { get; init; } = 5;

    /// <summary>Chat violations (too long, too fast) within a minute that end the session with "chat abuse". Default 5.</summary>
    public int ChatViolationsToDisconnect { get; init; } = 5;

    /// <summary>
    /// Silence after which a client is disconnected with reason Timeout (and its player saved and released),
    /// in milliseconds. Default 5000. Clients keep the link alive on their own when idle (1 s keep-alive).
    /// </summary>
    public int DisconnectTimeoutMs { get; init; } = 5_000;

    /// <summary>Seconds between the one-line summaries in the log; 0 turns them off. Default 10.</summary>
    public int SummaryIntervalSeconds { get; init; } = 10;

    internal static GameOptions Read(OptionReader reader)
    {
        int zoneSize = reader.Int32(nameof(ZoneSize), 100_000, 1_000, 100_000_000);
        var options = new GameOptions
        {
            TickRate = reader.Int32(nameof(TickRate), 30, 1, 128),
            MaxCatchUpTicks = reader.Int32(nameof(MaxCatchUpTicks), 3, 1, 100),
            MaxPlayers = reader.Int32(nameof(MaxPlayers), 2000, 1, 100_000),
            Zones = reader.Int32(nameof(Zones), 4, 1, 256),
            ZoneSize = zoneSize,
            CellSize = reader.Int32(nameof(CellSize), 2_500, 100, 100_000_000),
            SpawnRadius = reader.Int32(nameof(SpawnRadius), -1, -1, 50_000_000),
            MaxSpeed = reader.Int32(nameof(MaxSpeed), 1_000, 1, 1_000_000),
            ChatMaxBytes = reader.Int32(nameof(ChatMaxBytes), 200, 1, 1024),
            ChatLinesPer10Seconds = reader.Int32(nameof(ChatLinesPer10Seconds), 5, 1, 1000),
            ChatViolationsToDisconnect = reader.Int32(nameof(ChatViolationsToDisconnect), 5, 1, 1000),
            DisconnectTimeoutMs = reader.Int32(nameof(DisconnectTimeoutMs), 5_000, 2_000, 600_000),
            SummaryIntervalSeconds = reader.Int32(nameof(SummaryIntervalSeconds), 10, 0, 3600),
        };
        if (options.CellSize > zoneSize)
        {
            reader.Fail(nameof(CellSize), options.CellSize.ToString(System.Globalization.CultureInfo.InvariantCulture), $"at most Game:ZoneSize ({zoneSize})");
        }
        else if ((long)(zoneSize / options.CellSize + 1) * (zoneSize / options.CellSize + 1) > 1_000_000)
        {
            reader.Fail(nameof(CellSize), options.CellSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "large enough that a zone has at most 1,000,000 cells");
        }

        return options;
    }
}
