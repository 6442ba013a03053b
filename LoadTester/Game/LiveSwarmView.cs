using System.Globalization;
using Realm.LoadTester.Reporting;
using Spectre.Console;

namespace Realm.LoadTester.Game;

/// <summary>A live table on a terminal (Spectre.Console), redrawn every second.</summary>
internal sealed class LiveSwarmView(Table table, LiveDisplayContext context) : ISwarmView
{
    public static Table CreateTable()
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Realm load test[/]");
        foreach (string column in (string[])["stage", "elapsed", "left", "bots / target", "connects/s", "msgs/s out", "msgs/s in", "rtt p50 ms", "rtt p99 ms", "loss %", "server tick p99 ms"])
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        return table;
    }

    public void Show(SeriesPoint point, int target, double connectsPerSecond, double lossPercent, double remainingSeconds, string note)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string tick = point.TickP99Ms < 0 ? "-" : point.TickP99Ms.ToString("F2", c);
        table.Rows.Clear();
        table.AddRow(
            point.Stage,
            point.Seconds.ToString("F0", c) + " s",
            remainingSeconds < 0 ? "-" : remainingSeconds.ToString("F0", c) + " s",
            string.Create(c, $"{point.Bots} / {target}"),
            connectsPerSecond.ToString("F0", c),
            point.SentPerSecond.ToString("F0", c),
            point.ReceivedPerSecond.ToString("F0", c),
            point.RttP50Ms.ToString("F1", c),
            point.RttP99Ms.ToString("F1", c),
            lossPercent.ToString("F2", c),
            tick);
        table.Caption(note.Length == 0 ? string.Empty : Markup.Escape(note));
        context.Refresh();
    }
}
