
namespace MigrationCluster.Dashboard.Tests;

/// <summary>A loopback port that was free a moment ago, from outside the ephemeral range.</summary>
internal static class FreePort
{
    /// <summary>
    /// Starts something on a free port, again on another one if the port was taken in between:
    /// the OS hands out the same ephemeral range as source ports of the connections that parallel
    /// tests open, so "free a moment ago" is not "free now".
    /// </summary>
    public static async Task<T> StartAsync<T>(Func<int, Task<T>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(Next());
            }
            catch (MigrationCluster.Hosting.UsageException exception) when (attempt < 5 && exception.Message.Contains("in use", StringComparison.Ordinal))
            {
                // Taken since: another port.
            }
        }
    }

    /// <summary>A free loopback port outside the kernel's ephemeral range, where no outgoing connection takes it.</summary>
    public static int Next() => MigrationCluster.Hosting.LoopbackPorts.Free(1)[0];
}
