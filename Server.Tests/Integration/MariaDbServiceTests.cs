using System.Data.Common;
using Realm.Data.Providers;

namespace Realm.Server.Tests.Integration;

[TestFixture]
[Category("Integration")]
[CancelAfter(30_000)]
public sealed class MariaDbServiceTests
{
    private DatabaseEndpoint _endpoint = null!;

    [SetUp]
    public void SetUp()
    {
        string connectionString = TestServices.RequireMySql();
        Assert.That(DatabaseEndpoint.TryCreateMySql(connectionString, out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        _endpoint = endpoint!;
    }

    [Test]
    public async Task QueryRoundTrip_InsertThenSelect_ReturnsTheRowWritten(CancellationToken ct)
    {
        await using DbConnection connection = await _endpoint.OpenAsync(ct);
        string table = $"roundtrip_{Guid.NewGuid():N}";
        await ExecuteAsync(connection, $"CREATE TABLE {table} (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, score DOUBLE NOT NULL) ENGINE=InnoDB", ct);
        try
        {
            await using (DbCommand insert = connection.CreateCommand())
            {
                insert.CommandText = $"INSERT INTO {table} (id, name, score) VALUES (@id, @name, @score)";
                AddParameter(insert, "@id", 9_007_199_254_740_993L); // beyond double precision: must survive as an integer
                AddParameter(insert, "@name", "Ærin ✓");
                AddParameter(insert, "@score", 12.5);
                Assert.That(await insert.ExecuteNonQueryAsync(ct), Is.EqualTo(1));
            }

            await using DbCommand select = connection.CreateCommand();
            select.CommandText = $"SELECT id, name, score FROM {table} WHERE id = @id";
            AddParameter(select, "@id", 9_007_199_254_740_993L);
            await using DbDataReader reader = await select.ExecuteReaderAsync(ct);
            Assert.That(await reader.ReadAsync(ct), Is.True, "the inserted row is not there");
            Assert.Multiple(() =>
            {
                Assert.That(reader.GetInt64(0), Is.EqualTo(9_007_199_254_740_993L));
                Assert.That(reader.GetString(1), Is.EqualTo("Ærin ✓"));
                Assert.That(reader.GetDouble(2), Is.EqualTo(12.5));
            });
            Assert.That(await reader.ReadAsync(ct), Is.False);
        }
        finally
        {
            await ExecuteAsync(connection, $"DROP TABLE {table}", CancellationToken.None);
        }
    }

    [Test]
    public async Task Server_IsMariaDb_ReportsItsVersion(CancellationToken ct)
    {
        await using DbConnection connection = await _endpoint.OpenAsync(ct);
        string version = await _endpoint.QueryServerVersionAsync(connection, ct);
        Assert.That(version, Does.Contain("MariaDB"), "REALM_TEST_MYSQL should point at the MariaDB that run.sh test starts");
    }

    [Test]
    public async Task ServerStringsCastToUtf8mb4_ThroughMySqlData8016_DecodeAndKeepTheConnectionUsable(CancellationToken ct)
    {
        // The compatibility rule the data tier relies on (see DatabaseEndpoint.QueryServerVersionAsync):
        // the server's own utf8mb3 strings are read through an explicit utf8mb4 cast.
        await using DbConnection connection = await _endpoint.OpenAsync(ct);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(@@version_comment AS CHAR CHARACTER SET utf8mb4), CAST(@@character_set_server AS CHAR CHARACTER SET utf8mb4)";
        await using (DbDataReader reader = await command.ExecuteReaderAsync(ct))
        {
            Assert.That(await reader.ReadAsync(ct), Is.True);
            Assert.That(reader.GetString(0), Is.Not.Empty);
            Assert.That(reader.GetString(1), Is.EqualTo("utf8mb4"), "run.sh test starts MariaDB with utf8mb4");
        }

        command.CommandText = "SELECT 40 + 2";
        Assert.That(Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(42));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
