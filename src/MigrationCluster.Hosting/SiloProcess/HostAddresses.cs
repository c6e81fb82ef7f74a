using System.Net;
using System.Net.NetworkInformation;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The IP addresses this host's interfaces have: a silo can bind and advertise only one of them
/// (an address of another machine would be written into the membership table, and every peer
/// would try to reach this silo there).
/// </summary>
public static class HostAddresses
{
    public static IReadOnlyList<IPAddress> All() =>
        [.. NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)];

    /// <summary>True when an interface of this host has <paramref name="address"/> (IPv6 scope ignored).</summary>
    public static bool Has(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        return All().Any(a => a.AddressFamily == address.AddressFamily && a.GetAddressBytes().AsSpan().SequenceEqual(bytes));
    }

    /// <summary>For an error line: the IPv4 addresses (and IPv6 if there are no others), comma-separated.</summary>
    public static string Describe()
    {
        var all = All();
        var v4 = all.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        return string.Join(", ", (v4.Count > 0 ? v4 : all).Select(a => a.ToString()));
    }
}
