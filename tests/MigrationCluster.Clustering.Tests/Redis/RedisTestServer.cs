using MigrationCluster.Hosting.Clustering.Redis;
using StackExchange.Redis;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// The Redis server the tests run against, named by <see cref="Variable"/>. Without one the tests
/// fail (never skip) and say how to get one.
/// </summary>
public static class RedisTestServer
{
    public const string Variable = "MIGRATIONCLUSTER_REDIS";

    private const string HowTo =
        "install Redis (apt-get install -y redis-server) and start a throwaway server with " +
        "`source .ci/redis.sh && start_redis`, which exports " + Variable + " (bash .ci/run does both)";

    /// <summary>The server's configuration string (e.g. <c>127.0.0.1:56379</c>), or a failed test that says how to start one.</summary>
    public static string Configuration
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                Assert.Fail($"{Variable} is not set: the Redis membership tests need a server: {HowTo}.");
            }
            return value;
        }
    }

    /// <summary>Fails the test, saying how to start a server, unless the server answers a PING.</summary>
    public static async Task EnsureReachableAsync()
    {
        var options = RedisMembershipConfiguration.Parse(Configuration);
        var server = RedisMembershipConfiguration.Describe(options);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 3000;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
            await connection.GetDatabase().PingAsync();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Assert.Fail($"Cannot reach Redis at {server} ({Variable}): {exception.Message.ReplaceLineEndings(" ")}. The Redis membership tests need a server: {HowTo}.");
        }
    }
}
