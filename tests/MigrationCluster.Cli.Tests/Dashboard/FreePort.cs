using System.Net;
using System.Net.Sockets;

namespace MigrationCluster.Cli.Tests.Dashboard;

/// <summary>A loopback port that was free a moment ago (the OS picks it).</summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
