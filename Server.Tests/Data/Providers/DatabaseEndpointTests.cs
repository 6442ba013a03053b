using System.Data.Common;
using Realm.Data.Providers;

namespace Realm.Server.Tests.Data.Providers;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DatabaseEndpointTests
{
    [Test]
    public async Task TryCreateSqlite_MissingFolder_CreatesItAndOpensTheFile(CancellationToken ct)
    {
        string root = Directory.CreateTempSubdirectory("realm-sqlite-").FullName;
        try
        {
            string path = Path.Combine(root, "nested", "deeper", "realm.db");
            Assert.That(DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
            await using (DbConnection connection = await endpoint!.OpenAsync(ct))
            {
                string version = await endpoint.QueryServerVersionAsync(connection, ct);
                Assert.That(version, Does.Match(@"^3\.\d+\.\d+"));
            }

            Assert.Multiple(() =>
            {
                Assert.That(File.Exists(path), Is.True);
                Assert.That(endpoint.DisplayName, Is.EqualTo(path));
                Assert.That(endpoint.Provider, Is.EqualTo(DatabaseProvider.Sqlite));
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void TryCreateSqlite_MissingFolder_TouchesNothingOnDisk()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"realm-untouched-{Guid.NewGuid():N}");
        Assert.That(DatabaseEndpoint.TryCreateSqlite(Path.Combine(folder, "realm.db"), out _, out string? error), Is.True, error);
        Assert.That(Directory.Exists(folder), Is.False, "describing an endpoint must not create its folder");
    }

    [Test]
    public void OpenAsync_FolderIsAFile_ThrowsIOException()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.That(DatabaseEndpoint.TryCreateSqlite(Path.Combine(file, "realm.db"), out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
            Assert.ThrowsAsync<IOException>(() => endpoint!.OpenAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void TryCreateMySql_DriverPoolingRequested_IsTurnedOffAndDisplayHidesThePassword()
    {
        Assert.That(DatabaseEndpoint.TryCreateMySql("Server=db1;Port=3307;User ID=realm;Password=s3cret;Database=game;Pooling=true", out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        Assert.Multiple(() =>
        {
            Assert.That(new MySql.Data.MySqlClient.MySqlConnectionStringBuilder(endpoint!.ConnectionString).Pooling, Is.False);
            Assert.That(endpoint.DisplayName, Is.EqualTo("realm@db1:3307/game"));
            Assert.That(endpoint.ToString(), Does.Not.Contain("s3cret"));
        });
    }

    [TestCase("Server=;User ID=x", "names no Server")]
    [TestCase("Bogus=1", "not a valid MySQL connection string")]
    public void TryCreateMySql_Unusable_ReturnsFalseWithTheReason(string connectionString, string expected)
    {
        Assert.That(DatabaseEndpoint.TryCreateMySql(connectionString, out _, out string? error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }
}
