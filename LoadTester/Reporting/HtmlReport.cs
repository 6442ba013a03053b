using System.Globalization;
using System.Net;
using System.Text;

namespace Realm.LoadTester.Reporting;

/// <summary>
/// A self-contained HTML report: the summary table and line charts over time (bots in the game, messages
/// per second, echo RTT p50/p99, server tick p50/p99/max and lateness p99), drawn as inline SVG — no
/// script library, no network. A few lines of script mark <c>data-charts-drawn</c> on the body once the
/// browser has laid the charts out (what the headless-Chromium test checks).
/// </summary>
internal static class HtmlReport
{
    private const int Width = 900;
    private const int Height = 240;
    private const int Left = 60;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 30;

    /// <summary>The page; the tick chart marks half the tick budget (the capacity criterion, TARGETS.md).</summary>
    public static string Render(LoadReport report)
    {
        double? halfBudgetMs = report.ServerTickRate > 0 ? 1000.0 / report.ServerTickRate / 2 : null;
        IReadOnlyList<SeriesPoint> points = report.Series ?? [];
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Realm load test: ")
            .Append(Encode(report.Scenario)).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}")
            .Append("svg.chart{display:block;margin:18px 0;background:#fafafa;border:1px solid #ddd}.legend{font-size:12px}</style></head><body>");
        html.Append("<h1>Realm load test: ").Append(Encode(report.Scenario)).Append("</h1>");
        Summary(html, report);
        Chart(html, "Bots in the game", "bots", points, [("bots", "#1f77b4", p => p.Bots)], null);
        Chart(html, "Messages per second", "msg/s", points, [("sent by bots", "#2ca02c", p => p.SentPerSecond), ("received by bots", "#ff7f0e", p => p.ReceivedPerSecond)], null);
        Chart(html, "Echo RTT", "ms", points, [("p50", "#1f77b4", p => p.RttP50Ms), ("p99", "#d62728", p => p.RttP99Ms)], null);
        Chart(html, "Server tick", "ms", points,
            [("tick p50", "#1f77b4", p => p.TickP50Ms), ("tick p99", "#d62728", p => p.TickP99Ms), ("tick max", "#9467bd", p => p.TickMaxMs), ("lateness p99", "#8c564b", p => p.LatenessP99Ms)],
            halfBudgetMs);
        html.Append("<script>window.addEventListener('load',function(){var n=0;document.querySelectorAll('svg.chart').forEach(function(s){")
            .Append("var l=s.querySelector('polyline');if(l&&l.getBBox().width>0){n++;}});document.body.setAttribute('data-charts-drawn',String(n));});</script>");
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, LoadReport r)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        html.Append("<table>");
        Row(html, "bots", string.Create(c, $"{r.Clients} ({r.Connected} connected, {r.FailedConnects} failed, {r.Disconnects} disconnected)"));
        Row(html, "measured", string.Create(c, $"{r.Seconds:F1} s"));
        Row(html, "messages", string.Create(c, $"{r.MessagesSent} sent, {r.MessagesReceived} received ({r.MessagesPerSecond:F0}/s)"));
        Row(html, "echo RTT", string.Create(c, $"p50 {r.Rtt.PercentileMilliseconds(50):F2} ms, p99 {r.Rtt.PercentileMilliseconds(99):F2} ms, max {r.Rtt.MaxMilliseconds:F2} ms"));
        Row(html, "loss", string.Create(c, $"{r.LossPercent:F3} %"));
        Row(html, "kernel UDP drops", r.KernelReceiveBufferErrors < 0 ? "not known here" : r.KernelReceiveBufferErrors.ToString(c));
        if (r.Server is { } s)
        {
            Row(html, "server tick", string.Create(c, $"p50 {s.TickP50Ms:F2} ms, p99 {s.TickP99Ms:F2} ms, max {s.TickMaxMs:F2} ms ({s.Ticks} ticks, {s.Overruns} overruns)"));
            Row(html, "server lateness", string.Create(c, $"p99 {s.LatenessP99Ms:F2} ms, max {s.LatenessMaxMs:F2} ms"));
            Row(html, "server allocation", string.Create(c, $"{s.AllocBytesPerMessage:F2} B/message, {s.Gen0Collections} gen0 GCs"));
        }
        else
        {
            Row(html, "server", "no figures: the server did not answer the final status request");
        }

        html.Append("</table>");
    }

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(Encode(name)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>");

    private static void Chart(StringBuilder html, string title, string unit, IReadOnlyList<SeriesPoint> points,
        (string Name, string Color, Func<SeriesPoint, double> Value)[] lines, double? limit)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        double maxT = points.Count == 0 ? 1 : Math.Max(1, points[^1].Seconds);
        double maxY = limit ?? 0;
        foreach ((_, _, Func<SeriesPoint, double> value) in lines)
        {
            foreach (SeriesPoint p in points)
            {
                maxY = Math.Max(maxY, value(p));
            }
        }

        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        double X(double t) => Left + ((Width - Left - Right) * t / maxT);
        double Y(double v) => Height - Bottom - ((Height - Top - Bottom) * Math.Max(0, v) / maxY);

        html.Append(string.Create(c, $"<svg class=\"chart\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" xmlns=\"http://www.w3.org/2000/svg\">"));
        html.Append(string.Create(c, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Encode(title)} ({Encode(unit)})</text>"));
        html.Append(string.Create(c, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/><line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#888\"/>"));
        html.Append(string.Create(c, $"<text x=\"{Left - 6}\" y=\"{Top + 4}\" font-size=\"11\" text-anchor=\"end\">{(maxY >= 100 ? maxY.ToString("N0", c) : maxY.ToString("G3", c))}</text><text x=\"{Left - 6}\" y=\"{Height - Bottom + 4}\" font-size=\"11\" text-anchor=\"end\">0</text>"));
        html.Append(string.Create(c, $"<text x=\"{Width - Right}\" y=\"{Height - 8}\" font-size=\"11\" text-anchor=\"end\">{maxT:F0} s</text><text x=\"{Left}\" y=\"{Height - 8}\" font-size=\"11\">0 s</text>"));
        if (limit is { } budget)
        {
            html.Append(string.Create(c, $"<line x1=\"{Left}\" y1=\"{Y(budget):F1}\" x2=\"{Width - Right}\" y2=\"{Y(budget):F1}\" stroke=\"#d62728\" stroke-dasharray=\"4 4\"/>"));
            html.Append(string.Create(c, $"<text x=\"{Width - Right}\" y=\"{Y(budget) - 4:F1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#d62728\">half the tick budget: {budget:G4} ms</text>"));
        }

        int legend = 0;
        foreach ((string name, string color, Func<SeriesPoint, double> value) in lines)
        {
            var polyline = new StringBuilder();
            foreach (SeriesPoint p in points)
            {
                double v = value(p);
                if (v >= 0)
                {
                    polyline.Append(string.Create(c, $"{X(p.Seconds):F1},{Y(v):F1} "));
                }
            }

            html.Append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").Append(color).Append("\" points=\"").Append(polyline.ToString().TrimEnd()).Append("\"/>");
            html.Append(string.Create(c, $"<text class=\"legend\" x=\"{Left + 10 + (legend * 150)}\" y=\"{Top + 12}\" fill=\"{color}\">{Encode(name)}</text>"));
            legend++;
        }

        html.Append("</svg>");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
