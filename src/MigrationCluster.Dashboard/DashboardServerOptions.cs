using System.Net;
using System.Net.Sockets;
using MigrationCluster.Hosting;

namespace MigrationCluster.Dashboard;

/// <summary>
/// Where the dashboard listens and what it links to. Loopback by default: the page shows a
/// cluster's inner workings and has no login, so it is not a network service unless asked.
/// </summary>
public sealed class DashboardServerOptions
{
    public const int DefaultPort = 8080;
    public const string DefaultListenAddress = "127.0.0.1";

    /// <summary>The option a bad port is reported under (<c>--port</c>, or <c>--dashboard</c> for <c>run</c>).</summary>
    public string PortOption { get; init; } = "--port";

    public int Port { get; init; } = DefaultPort;

    public string ListenAddress { get; init; } = DefaultListenAddress;

    /// <summary>A Jaeger UI (e.g. <c>http://127.0.0.1:16686</c>): each migrate_pages call links to its trace there.</summary>
    public string? JaegerUrl { get; init; }

    /// <summary>The listen address (after <see cref="Validate"/>).</summary>
    public IPAddress ListenIPAddress => IPAddress.Parse(ListenAddress);

    /// <summary>The Jaeger UI's base (after <see cref="Validate"/>), or null.</summary>
    public Uri? Jaeger => JaegerUrl is null ? null : new Uri(JaegerUrl.TrimEnd('/') + "/", UriKind.Absolute);

    /// <summary>
    /// The dashboard a command's <c>--dashboard PORT</c> asks for (on loopback), or null without
    /// one; <c>--jaeger</c> without <c>--dashboard</c> is bad input.
    /// </summary>
    public static DashboardServerOptions? ForDashboardOption(int? port, string? jaegerUrl)
    {
        if (port is not { } value)
        {
            return jaegerUrl is null ? null : throw new UsageException("--jaeger needs --dashboard PORT (the dashboard is what links to the traces)");
        }
        return new DashboardServerOptions { PortOption = "--dashboard", Port = value, JaegerUrl = jaegerUrl };
    }

    /// <summary>
    /// Bad input throws <see cref="UsageException"/> (exit 2): a port outside 1..65535 or already
    /// in use on the listen address, an address that is not an IP address, a Jaeger URL that is
    /// not an absolute http(s) URL.
    /// </summary>
    public void Validate()
    {
        if (Port is < 1 or > 65535)
        {
            throw new UsageException($"{PortOption} must be between 1 and 65535 (was {Port})");
        }
        if (!IPAddress.TryParse(ListenAddress, out var address))
        {
            throw new UsageException($"--listen must be an IP address such as 127.0.0.1 or 0.0.0.0 (was '{ListenAddress}')");
        }
        if (JaegerUrl is not null
            && (!Uri.TryCreate(JaegerUrl, UriKind.Absolute, out var jaeger) || jaeger.Scheme is not ("http" or "https")))
        {
            throw new UsageException($"--jaeger must be the http(s) URL of a Jaeger UI, e.g. http://127.0.0.1:16686 (was '{JaegerUrl}')");
        }
        EnsurePortFree(address);
    }

    /// <summary>Binds the port once and lets it go: a port in use is bad input, said before connecting to anything.</summary>
    private void EnsurePortFree(IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, Port));
            probe.Listen();
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new UsageException($"{PortOption} {Port}: {address}:{Port} is already in use (choose another port)");
        }
        catch (SocketException exception)
        {
            throw new UsageException($"{PortOption} {Port}: cannot listen on {address}:{Port}: {exception.Message}");
        }
    }
}
