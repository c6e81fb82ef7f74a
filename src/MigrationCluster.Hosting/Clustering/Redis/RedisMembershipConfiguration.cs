using StackExchange.Redis;

namespace MigrationCluster.Hosting.Clustering.Redis;

/// <summary>
/// The Redis server (or servers) that keep a cluster's membership through Orleans' Redis
/// clustering provider: a StackExchange.Redis configuration string such as
/// <c>127.0.0.1:6379</c> or <c>redis-1:6379,redis-2:6379,password=...</c>. The provider keeps
/// each cluster under the key <c>{ServiceId}/members/{ClusterId}</c>.
/// </summary>
public static class RedisMembershipConfiguration
{
    /// <summary>
    /// The configuration, checked without connecting. The message says what is wrong but never
    /// repeats the string, which may hold a password.
    /// </summary>
    /// <exception cref="ArgumentException">Empty, malformed, or naming no server.</exception>
    public static ConfigurationOptions Parse(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new ArgumentException("the Redis configuration is empty (e.g. 127.0.0.1:6379).");
        }
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or RedisException)
        {
            // The client's message quotes the part it could not read, which may be a mistyped password.
            throw new ArgumentException("not a valid Redis configuration: expected host:port entries and option=value pairs separated by ',' (e.g. 127.0.0.1:6379,password=...).", exception);
        }
        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("the Redis configuration names no server (e.g. 127.0.0.1:6379).");
        }
        return options;
    }

    /// <summary>The servers, for messages and logs, never the password.</summary>
    public static string Describe(ConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ToString(includePassword: false);
    }
}
