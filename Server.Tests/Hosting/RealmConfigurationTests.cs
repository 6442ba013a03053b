using Realm.Server.Hosting;

namespace Realm.Server.Tests.Hosting;

[TestFixture]
[CancelAfter(10_000)]
public sealed class RealmConfigurationTests
{
    [TestCase(new[] { "--Network:Port=7778" }, "Network:Port", "7778")]
    [TestCase(new[] { "--Network:Port", "7778" }, "Network:Port", "7778")]
    [TestCase(new[] { "--port", "7778" }, "Network:Port", "7778")]
    [TestCase(new[] { "--port=7778" }, "Network:Port", "7778")]
    [TestCase(new[] { "--log-level", "Debug" }, "Logging:Level", "Debug")]
    [TestCase(new[] { "--Storage__SqlitePath=x.db" }, "Storage:SqlitePath", "x.db")]
    public void TryParseArguments_KnownForms_MapToConfigurationKeys(string[] args, string key, string value)
    {
        var into = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Assert.That(RealmConfiguration.TryParseArguments(args, into, out string? error), Is.True, error);
        Assert.That(into[key], Is.EqualTo(value));
    }

    [TestCase(new[] { "7778" }, "unexpected argument \"7778\"")]
    [TestCase(new[] { "-p", "7778" }, "unexpected argument \"-p\"")]
    [TestCase(new[] { "--port" }, "\"--port\" has no value")]
    [TestCase(new[] { "--port", "--host=::1" }, "\"--port\" has no value")]
    [TestCase(new[] { "--=5" }, "has no name")]
    public void TryParseArguments_Malformed_IsAnErrorNotSilentlyIgnored(string[] args, string expected)
    {
        var into = new Dictionary<string, string?>();
        Assert.That(RealmConfiguration.TryParseArguments(args, into, out string? error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void TryBuild_InvalidJsonFile_ReportsTheFile()
    {
        string folder = Directory.CreateTempSubdirectory("realm-json-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), "{ \"Network\": ");
            Assert.That(RealmConfiguration.TryBuild(folder, [], out _, out string? error), Is.False);
            Assert.That(error, Does.Contain("appsettings.json"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
