namespace Realm.Server.Simulation.World;

/// <summary>
/// One square map with a uniform grid for area of interest: an entity sees the entities of the 3 × 3 cells
/// around its own. Cells hold their entities in lists created on first use. Logic thread only.
/// </summary>
internal sealed class Zone
{
    private readonly List<Entity>?[] _cells;
    private readonly CellSnapshotBuffer?[] _snapshots;

    public Zone(int id, int size, int cellSize)
    {
        Id = id;
        Size = size;
        CellSize = cellSize;
        CellsPerSide = (size + cellSize - 1) / cellSize;
        _cells = new List<Entity>?[CellsPerSide * CellsPerSide];
        _snapshots = new CellSnapshotBuffer?[_cells.Length];
    }

    public int Id { get; }

    /// <summary>Side in centimetres; positions run from 0 to <c>Size − 1</c>.</summary>
    public int Size { get; }

    public int CellSize { get; }

    public int CellsPerSide { get; }

    /// <summary>Players in this zone.</summary>
    public List<Entity> Entities { get; } = [];

    public int CellOf(int x, int y) => (y / CellSize * CellsPerSide) + (x / CellSize);

    public bool Contains(int x, int y) => x >= 0 && y >= 0 && x < Size && y < Size;

    /// <summary>The entities in <paramref name="cell"/> (empty when none).</summary>
    public ReadOnlySpan<Entity> EntitiesIn(int cell) => _cells[cell] is { } list ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list) : default;

    /// <summary>Cells <paramref name="a"/> and <paramref name="b"/> see each other (same or adjacent, diagonals included).</summary>
    public bool AreNeighbours(int a, int b)
    {
        int dx = (a % CellsPerSide) - (b % CellsPerSide);
        int dy = (a / CellsPerSide) - (b / CellsPerSide);
        return dx is >= -1 and <= 1 && dy is >= -1 and <= 1;
    }

    /// <summary>Writes the cells around <paramref name="cell"/> (itself included, clipped at the edges) into <paramref name="into"/>; returns how many.</summary>
    public int Neighbours(int cell, Span<int> into)
    {
        int cx = cell % CellsPerSide;
        int cy = cell / CellsPerSide;
        int count = 0;
        for (int y = Math.Max(0, cy - 1); y <= Math.Min(CellsPerSide - 1, cy + 1); y++)
        {
            for (int x = Math.Max(0, cx - 1); x <= Math.Min(CellsPerSide - 1, cx + 1); x++)
            {
                into[count++] = (y * CellsPerSide) + x;
            }
        }

        return count;
    }

    public void Add(Entity entity)
    {
        entity.Zone = this;
        Entities.Add(entity);
        Place(entity, CellOf(entity.X, entity.Y));
    }

    public void Remove(Entity entity)
    {
        Unplace(entity);
        Entities.Remove(entity);
        entity.Zone = null;
    }

    /// <summary>Moves <paramref name="entity"/> into the cell its position is in; returns the old cell when it changed, else −1.</summary>
    public int UpdateCell(Entity entity)
    {
        int cell = CellOf(entity.X, entity.Y);
        if (cell == entity.Cell)
        {
            return -1;
        }

        int old = entity.Cell;
        Unplace(entity);
        Place(entity, cell);
        return old;
    }

    /// <summary>The snapshot buffer of <paramref name="cell"/>, created on first use and reused after.</summary>
    public CellSnapshotBuffer SnapshotOf(int cell) => _snapshots[cell] ??= new CellSnapshotBuffer();

    private void Place(Entity entity, int cell)
    {
        List<Entity> list = _cells[cell] ??= new List<Entity>(8);
        entity.Cell = cell;
        entity.IndexInCell = list.Count;
        list.Add(entity);
    }

    private void Unplace(Entity entity)
    {
        List<Entity> list = _cells[entity.Cell]!;
        int last = list.Count - 1;
        Entity moved = list[last];
        list[entity.IndexInCell] = moved; // swap-remove keeps removal O(1)
        moved.IndexInCell = entity.IndexInCell;
        list.RemoveAt(last);
        entity.Cell = -1;
        entity.IndexInCell = -1;
    }
}
