namespace Realm.Server.Net.Transport;

/// <summary>
/// Imperfect-network simulation applied to every datagram a host sends (so set it on both ends to
/// impair both directions). Off unless a value is set. Available in release builds: tests and the load
/// tester use it.
/// </summary>
internal sealed class NetConditionerOptions
{
    /// <summary>Share of datagrams dropped, 0–100.</summary>
    public double LossPercent { get; set; }

    /// <summary>Share of datagrams sent twice, 0–100.</summary>
    public double DuplicatePercent { get; set; }

    /// <summary>Share of datagrams held back by an extra delay (up to twice <see cref="Latency"/> + <see cref="Jitter"/> + 5 ms) so later ones overtake them, 0–100.</summary>
    public double ReorderPercent { get; set; }

    /// <summary>Delay added to every datagram (one way).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Uniform random extra delay from 0 to this.</summary>
    public TimeSpan Jitter { get; set; }

    /// <summary>Seed of the conditioner's random numbers, for reproducible runs (default 1).</summary>
    public int Seed { get; set; } = 1;

    /// <summary>True when any impairment is set.</summary>
    public bool Enabled => LossPercent > 0 || DuplicatePercent > 0 || ReorderPercent > 0 || Latency > TimeSpan.Zero || Jitter > TimeSpan.Zero;

    internal void Validate(List<string> errors)
    {
        NetHostOptions.Check(errors, LossPercent is >= 0 and <= 100, "Conditioner.LossPercent", LossPercent, "0 to 100");
        NetHostOptions.Check(errors, DuplicatePercent is >= 0 and <= 100, "Conditioner.DuplicatePercent", DuplicatePercent, "0 to 100");
        NetHostOptions.Check(errors, ReorderPercent is >= 0 and <= 100, "Conditioner.ReorderPercent", ReorderPercent, "0 to 100");
        NetHostOptions.Check(errors, Latency >= TimeSpan.Zero && Latency <= TimeSpan.FromSeconds(10), "Conditioner.Latency", Latency, "0 to 10 s");
        NetHostOptions.Check(errors, Jitter >= TimeSpan.Zero && Jitter <= TimeSpan.FromSeconds(10), "Conditioner.Jitter", Jitter, "0 to 10 s");
    }
}
