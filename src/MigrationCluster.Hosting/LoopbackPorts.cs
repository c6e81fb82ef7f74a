using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MigrationCluster.Hosting;

/// <summary>
/// Loopback ports for silos, gateways and dashboards that the command picks itself. They come
/// from outside the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>):
/// a port inside it that is free now can be handed to another process's outgoing connection as
/// its source port before our server binds it; outside it, only a server's own bind takes it.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>No port below this is chosen (the well-known and registered services' low ports).</summary>
    public const int LowestPort = 10_000;

    /// <summary>The range Linux uses when nothing else is known.</summary>
    public const int DefaultEphemeralLow = 32_768;
    public const int DefaultEphemeralHigh = 60_999;

    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    /// <summary><paramref name="count"/> distinct ports, each bound once on 127.0.0.1 and released.</summary>
    public static int[] Free(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var (low, high) = EphemeralRange();
        // Below the ephemeral range first, above it if that is too narrow.
        int[] candidates = [.. Enumerable.Range(LowestPort, Math.Max(0, low - LowestPort)), .. Enumerable.Range(high + 1, Math.Max(0, IPEndPoint.MaxPort - high))];
        Random.Shared.Shuffle(candidates);
        var held = new List<TcpListener>(count);
        try
        {
            foreach (var port in candidates)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                }
                catch (SocketException)
                {
                    listener.Dispose();
                    continue;
                }
                held.Add(listener);
                if (held.Count == count)
                {
                    return [.. held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
                }
            }
        }
        finally
        {
            foreach (var listener in held)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
        throw new InvalidOperationException($"no {count} free loopback ports outside the ephemeral range {low}-{high}");
    }

    /// <summary>The kernel's ephemeral port range, or Linux's default where it cannot be read.</summary>
    public static (int Low, int High) EphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText(EphemeralRangeFile).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                && low >= 1 && low <= high && high <= IPEndPoint.MaxPort)
            {
                return (low, high);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return (DefaultEphemeralLow, DefaultEphemeralHigh);
    }
}
