using System.Diagnostics;
using Realm.Data.Monitoring;
using Realm.LoadTester.Game;
using Realm.LoadTester.Reporting;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.LoadTester;

/// <summary>The load test's HTML report and CSV series: self-contained, and drawn by a real browser.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class HtmlReportTests
{
    [Test]
    public void Html_NeedsNoNetwork_AndCarriesFourChartsWithTheirLines()
    {
        string html = HtmlReport.Render(Report());

        Assert.That(html, Does.Not.Contain("src=").And.Not.Contain("<link").And.Not.Contain("url(").And.Not.Contain("https://"), "the report loads something from elsewhere");
        Assert.That(CountOf(html, "<svg class=\"chart\""), Is.EqualTo(4));
        Assert.That(CountOf(html, "<polyline"), Is.EqualTo(1 + 2 + 2 + 4));
        Assert.That(html, Does.Contain("half the tick budget: 16.67 ms"));
        Assert.That(html, Does.Contain("p99 9.50 ms"), "the summary shows the server's tick p99");
    }

    [Test]
    public void Html_InHeadlessChromium_EveryChartIsDrawn()
    {
        string chromium = RequireChromium();
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"report-{Guid.NewGuid():N}.html");
        File.WriteAllText(path, HtmlReport.Render(Report()));
        string profile = Directory.CreateTempSubdirectory("realm-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile}",
                "--virtual-time-budget=5000", "--dump-dom", new Uri(path).AbsoluteUri])
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string dom = process.StandardOutput.ReadToEnd();
            Assert.That(process.WaitForExit(60_000), Is.True, "chromium did not finish");
            Assert.That(dom, Does.Contain("data-charts-drawn=\"4\""), $"the charts were not laid out; chromium said: {stderr.Result}");
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    [Test]
    public void Csv_HasTheHeaderAndOneRowASecond()
    {
        using var writer = new StringWriter();
        SeriesCsv.Write(writer, Report().Series!);
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(lines[0].Trim(), Is.EqualTo(SeriesCsv.Header));
        Assert.That(lines, Has.Length.EqualTo(1 + 20));
        Assert.That(lines[5].Trim(), Is.EqualTo("5.00,measured,100,3000,4500,18.000,30.000,2.000,9.500,12.000,0.500"));
    }

    private static LoadReport Report()
    {
        var rtt = new LatencyHistogram();
        rtt.Record(18_000_000);
        var points = new List<SeriesPoint>();
        for (int s = 1; s <= 20; s++)
        {
            points.Add(new SeriesPoint(s, s < 3 ? "ramp" : "measured", Math.Min(100, s * 40), 3000, 4500, 18, 30, 2, 9.5, 12, 0.5));
        }

        return new LoadReport
        {
            Scenario = "game-move",
            Clients = 100,
            Seconds = 18,
            Connected = 100,
            Rtt = rtt,
            Series = points,
            ServerTickRate = 30,
            Server = new ServerFigures(100, 540, 2, 9.5, 12, 0.5, 1.2, 0, 1000, 0, 100_000),
        };
    }

    private static int CountOf(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string RequireChromium()
    {
        foreach (string candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        if (TestServices.IsCi)
        {
            Assert.Fail("CI=true but chromium is not installed; ./run.sh test installs Debian's chromium package");
        }

        Assert.Ignore("chromium is not installed; ./run.sh test installs it");
        return string.Empty;
    }
}
