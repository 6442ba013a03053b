using System.Diagnostics;
using Realm.Data.Coordination;

namespace Realm.Server.Tests.Integration;

/// <summary>
/// Finds the real MariaDB and Redis servers that <c>./run.sh test</c> starts, through
/// <c>REALM_TEST_MYSQL</c> and <c>REALM_TEST_REDIS</c>. When a variable is absent the test is ignored with
/// a message saying how to run it, except under <c>CI=true</c>, where absence is a failure: CI must never
/// pass by skipping the integration tests.
/// </summary>
public static class TestServices
{
    public const string MySqlVariable = "REALM_TEST_MYSQL";
    public const string RedisVariable = "REALM_TEST_REDIS";
    public const string MySqlControlVariable = "REALM_TEST_MYSQL_CONTROL";
    public const string RedisControlVariable = "REALM_TEST_REDIS_CONTROL";
    public const string MySqlReplicaVariable = "REALM_TEST_MYSQL_REPLICA";
    public const string MySqlReplicaControlVariable = "REALM_TEST_MYSQL_REPLICA_CONTROL";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The MariaDB connection string, or ignore/fail the calling test.</summary>
    public static string RequireMySql() =>
        Require(MySqlVariable, "this test needs the MariaDB server that ./run.sh test starts; run ./run.sh test");

    /// <summary>
    /// The connection string of the MariaDB replica (GTID replication of <see cref="RequireMySql"/>'s server,
    /// read-only, same user and database), or ignore/fail the calling test.
    /// </summary>
    public static string RequireMySqlReplica() =>
        Require(MySqlReplicaVariable, "this test needs the MariaDB replica that ./run.sh test starts; run ./run.sh test");

    /// <summary>
    /// The script <c>./run.sh test</c> writes to kill (<c>kill</c>: SIGKILL) and start (<c>start</c>: same data
    /// and port, returns once it answers) its MariaDB, or ignore/fail the calling test.
    /// </summary>
    public static string RequireMySqlControl() => RequireScript(MySqlControlVariable, "this test restarts the MariaDB server that ./run.sh test starts");

    /// <summary>The same control script (<c>kill</c>, <c>start</c>) for the replica, or ignore/fail the calling test.</summary>
    public static string RequireMySqlReplicaControl() => RequireScript(MySqlReplicaControlVariable, "this test restarts the MariaDB replica that ./run.sh test starts");

    /// <summary>
    /// The script <c>./run.sh test</c> writes to kill (<c>kill PORT</c>: SIGKILL, data gone) and start (<c>start PORT</c>:
    /// same port, returns once it answers) one of its Redis servers, or ignore/fail the calling test.
    /// </summary>
    public static string RequireRedisControl() => RequireScript(RedisControlVariable, "this test restarts a Redis server that ./run.sh test starts");

    /// <summary>The Redis servers (three or more), or ignore/fail the calling test.</summary>
    public static RedisEndpointList RequireRedis()
    {
        string? value = Environment.GetEnvironmentVariable(RedisVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Unavailable($"{RedisVariable} is not set: this test needs the three Redis servers that ./run.sh test starts; run ./run.sh test");
        }

        if (!RedisEndpointList.TryParse(value, out RedisEndpointList? list, out string? error))
        {
            Assert.Fail($"{RedisVariable}=\"{value}\" is malformed: {error}");
        }

        if (list!.Endpoints.Count < 3)
        {
            Assert.Fail($"{RedisVariable} lists {list.Endpoints.Count} server(s); the tests need three or more independent instances");
        }

        return list;
    }

    /// <summary>Runs a control script (<see cref="RequireMySqlControl"/>, <see cref="RequireRedisControl"/>) and asserts it succeeded.</summary>
    public static async Task RunControlAsync(string control, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [control, .. arguments]) { RedirectStandardError = true })!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{control} {string.Join(' ', arguments)}: {stderr}");
    }

    private static string Require(string variable, string why)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Unavailable($"{variable} is not set: {why}");
        }

        return value!;
    }

    private static string RequireScript(string variable, string why)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(value) || !File.Exists(value))
        {
            Unavailable($"{variable} is not set or missing: {why}; run ./run.sh test");
        }

        return value!;
    }

    private static void Unavailable(string message)
    {
        if (IsCi)
        {
            Assert.Fail($"CI=true but {message}");
        }

        Assert.Ignore(message);
    }
}
