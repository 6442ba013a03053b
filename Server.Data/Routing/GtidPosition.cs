using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Realm.Data.Routing;

/// <summary>
/// A MariaDB GTID position: for each replication domain, the last transaction's sequence number
/// (the text form is <c>domain-server-sequence</c> per domain, comma-separated, as in
/// <c>@@gtid_binlog_pos</c>, <c>@@gtid_slave_pos</c> and <c>@@last_gtid</c>).
/// </summary>
/// <remarks>
/// Within one domain the sequence number only grows (MariaDB Knowledge Base, "Global Transaction ID":
/// a domain's GTIDs are applied in order), so "replica has applied my write" is "for every domain of the
/// write, the replica's sequence is not lower". The server id is kept for the text form only.
/// Immutable; <see cref="Empty"/> is the position before any write.
/// </remarks>
public sealed class GtidPosition : IEquatable<GtidPosition>
{
    private readonly Gtid[] _domains; // sorted by domain, one per domain

    private GtidPosition(Gtid[] domains) => _domains = domains;

    /// <summary>No transaction in any domain.</summary>
    public static GtidPosition Empty { get; } = new([]);

    /// <summary>True when no domain has a transaction.</summary>
    public bool IsEmpty => _domains.Length == 0;

    /// <summary>Domains in this position.</summary>
    public int DomainCount => _domains.Length;

    /// <summary>Parses the server's text form (empty or blank: <see cref="Empty"/>).</summary>
    /// <exception cref="FormatException">Not a GTID list; the message quotes it.</exception>
    public static GtidPosition Parse(string? text) =>
        TryParse(text, out GtidPosition? position) ? position : throw new FormatException($"\"{text}\" is not a GTID position (expected domain-server-sequence[,...])");

    /// <summary>Parses the server's text form; false when it is not one.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out GtidPosition? position)
    {
        position = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            position = Empty;
            return true;
        }

        var domains = new List<Gtid>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] fields = part.Split('-');
            if (fields.Length != 3
                || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint domain)
                || !uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint server)
                || !ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong sequence))
            {
                return false;
            }

            domains.Add(new Gtid(domain, server, sequence));
        }

        domains.Sort((a, b) => a.Domain.CompareTo(b.Domain));
        for (int i = 1; i < domains.Count; i++)
        {
            if (domains[i].Domain == domains[i - 1].Domain)
            {
                return false; // the server lists each domain once
            }
        }

        position = new GtidPosition([.. domains]);
        return true;
    }

    /// <summary>The sequence number of <paramref name="domain"/>, or 0 when the position has none.</summary>
    public ulong SequenceOf(uint domain)
    {
        foreach (Gtid gtid in _domains)
        {
            if (gtid.Domain == domain)
            {
                return gtid.Sequence;
            }
        }

        return 0;
    }

    /// <summary>True when every transaction in <paramref name="other"/> is also in this position.</summary>
    public bool Covers(GtidPosition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (Gtid gtid in other._domains)
        {
            if (SequenceOf(gtid.Domain) < gtid.Sequence)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Transactions in <paramref name="ahead"/> that this position lacks, summed over domains.</summary>
    public ulong Behind(GtidPosition ahead)
    {
        ArgumentNullException.ThrowIfNull(ahead);
        ulong behind = 0;
        foreach (Gtid gtid in ahead._domains)
        {
            ulong mine = SequenceOf(gtid.Domain);
            if (gtid.Sequence > mine)
            {
                behind += gtid.Sequence - mine;
            }
        }

        return behind;
    }

    /// <summary>The later of both positions in every domain (this instance when it already covers <paramref name="other"/>).</summary>
    public GtidPosition Merge(GtidPosition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Covers(other))
        {
            return this;
        }

        if (other.Covers(this))
        {
            return other;
        }

        var merged = new List<Gtid>(_domains);
        foreach (Gtid gtid in other._domains)
        {
            int at = merged.FindIndex(g => g.Domain == gtid.Domain);
            if (at < 0)
            {
                merged.Add(gtid);
            }
            else if (merged[at].Sequence < gtid.Sequence)
            {
                merged[at] = gtid;
            }
        }

        merged.Sort((a, b) => a.Domain.CompareTo(b.Domain));
        return new GtidPosition([.. merged]);
    }

    /// <summary>
    /// Atomically moves <paramref name="location"/> forward to cover <paramref name="position"/> as well
    /// (<see cref="Merge"/> in a compare-and-swap loop); it never moves back.
    /// </summary>
    public static void MergeInto(ref GtidPosition location, GtidPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        GtidPosition current = Volatile.Read(ref location);
        while (!current.Covers(position))
        {
            GtidPosition seen = Interlocked.CompareExchange(ref location, current.Merge(position), current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The server's text form, domains in ascending order.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (Gtid gtid in _domains)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(CultureInfo.InvariantCulture, $"{gtid.Domain}-{gtid.Server}-{gtid.Sequence}");
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(GtidPosition? other) => other is not null && Covers(other) && other.Covers(this) && _domains.Length == other._domains.Length;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as GtidPosition);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (Gtid gtid in _domains)
        {
            hash.Add(gtid.Domain);
            hash.Add(gtid.Sequence);
        }

        return hash.ToHashCode();
    }

    private readonly record struct Gtid(uint Domain, uint Server, ulong Sequence);
}
