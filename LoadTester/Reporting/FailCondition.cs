using System.Globalization;

namespace Realm.LoadTester.Reporting;

/// <summary>
/// A <c>--fail-if</c> condition such as <c>tick_p99_ms&gt;16.7</c>: when it holds for the report, the load
/// tester exits with <see cref="ExitCode"/>, so a run can gate a build.
/// </summary>
internal sealed record FailCondition(string Name, string Operator, double Threshold)
{
    /// <summary>The exit code of a run where a condition held.</summary>
    public const int ExitCode = 3;

    private static readonly string[] Operators = [">=", "<=", ">", "<"];

    /// <summary>The figures a condition can name.</summary>
    public static readonly string[] Names =
    [
        "tick_p50_ms", "tick_p99_ms", "tick_max_ms", "lateness_p99_ms", "lateness_max_ms", "server_alloc_bytes_per_message",
        "rtt_p50_ms", "rtt_p99_ms", "snapshot_interval_p99_ms", "loss_pct", "connected", "failed_connects", "disconnects",
        "kernel_drops", "messages_per_sec", "alloc_bytes_per_message",
    ];

    public static bool TryParse(string text, out FailCondition? condition, out string? error)
    {
        condition = null;
        foreach (string op in Operators)
        {
            int at = text.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0)
            {
                continue;
            }

            string name = text[..at].Trim();
            string value = text[(at + op.Length)..].Trim();
            if (Array.IndexOf(Names, name) < 0)
            {
                error = $"--fail-if \"{text}\": unknown figure \"{name}\"; known: {string.Join(", ", Names)}";
                return false;
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double threshold))
            {
                error = $"--fail-if \"{text}\": \"{value}\" is not a number";
                return false;
            }

            condition = new FailCondition(name, op, threshold);
            error = null;
            return true;
        }

        error = $"--fail-if \"{text}\": expected NAME>VALUE (or <, >=, <=), e.g. tick_p99_ms>16.7";
        return false;
    }

    /// <summary>The figure's value in <paramref name="report"/>; null when the report has none (e.g. no server figures).</summary>
    public static double? Value(LoadReport report, string name) => name switch
    {
        "tick_p50_ms" => report.Server?.TickP50Ms,
        "tick_p99_ms" => report.Server?.TickP99Ms,
        "tick_max_ms" => report.Server?.TickMaxMs,
        "lateness_p99_ms" => report.Server?.LatenessP99Ms,
        "lateness_max_ms" => report.Server?.LatenessMaxMs,
        "server_alloc_bytes_per_message" => report.Server?.AllocBytesPerMessage,
        "rtt_p50_ms" => report.Rtt.PercentileMilliseconds(50),
        "rtt_p99_ms" => report.Rtt.PercentileMilliseconds(99),
        "snapshot_interval_p99_ms" => report.SnapshotInterval?.PercentileMilliseconds(99),
        "loss_pct" => report.LossPercent,
        "connected" => report.Connected,
        "failed_connects" => report.FailedConnects,
        "disconnects" => report.Disconnects,
        "kernel_drops" => report.KernelReceiveBufferErrors < 0 ? null : report.KernelReceiveBufferErrors,
        "messages_per_sec" => report.MessagesPerSecond,
        "alloc_bytes_per_message" => report.AllocBytesPerMessage,
        _ => null,
    };

    /// <summary>
    /// True when the condition holds. A figure the report lacks (the server never answered the status
    /// request) holds too: a gate must not pass on missing data.
    /// </summary>
    public bool HoldsFor(LoadReport report, out double? value)
    {
        value = Value(report, Name);
        if (value is not { } v)
        {
            return true;
        }

        return Operator switch
        {
            ">" => v > Threshold,
            "<" => v < Threshold,
            ">=" => v >= Threshold,
            _ => v <= Threshold,
        };
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}{Operator}{Threshold}");
}
