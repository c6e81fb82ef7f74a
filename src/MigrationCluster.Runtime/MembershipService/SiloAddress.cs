using System.Globalization;
using System.Net;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// A silo's identity: where it listens plus a generation. A restarted silo on the same endpoint
/// gets a new generation, so a silo declared dead never comes back under the same address.
/// Text form: <c>S127.0.0.1:11111:57234</c> (IPv6: <c>S[::1]:11111:57234</c>).
/// </summary>
public sealed class SiloAddress : IEquatable<SiloAddress>
{
    private const char Prefix = 'S';

    // Generations count seconds from this epoch so that they fit an int for decades.
    private static readonly DateTimeOffset GenerationEpoch = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public SiloAddress(IPEndPoint endpoint, int generation)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Generation = generation;
    }

    public IPEndPoint Endpoint { get; }

    public int Generation { get; }

    /// <summary>A fresh generation from the clock: later starts get larger generations.</summary>
    public static int AllocateGeneration(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var seconds = (long)(timeProvider.GetUtcNow() - GenerationEpoch).TotalSeconds;
        return (int)Math.Clamp(seconds, 1, int.MaxValue);
    }

    public static SiloAddress Parse(string text)
    {
        if (!TryParse(text, out var address))
        {
            throw new FormatException($"'{text}' is not a silo address (expected e.g. 'S127.0.0.1:11111:57234').");
        }

        return address;
    }

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SiloAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text[0] != Prefix)
        {
            return false;
        }

        // S<host>:<port>:<generation>; the host may be an IPv6 literal in brackets, with colons inside.
        var generationColon = text.LastIndexOf(':');
        var portColon = generationColon > 1 ? text.LastIndexOf(':', generationColon - 1) : -1;
        if (portColon <= 1)
        {
            return false;
        }

        var host = text.AsSpan(1, portColon - 1);
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        if (!IPAddress.TryParse(host, out var ip)
            || !int.TryParse(text.AsSpan(portColon + 1, generationColon - portColon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort
            || !int.TryParse(text.AsSpan(generationColon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var generation))
        {
            return false;
        }

        var endpoint = new IPEndPoint(ip, port);
        address = new SiloAddress(endpoint, generation);
        return true;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Endpoint}:{Generation}");

    public bool Equals(SiloAddress? other) =>
        other is not null && Generation == other.Generation && Endpoint.Equals(other.Endpoint);

    public override bool Equals(object? obj) => Equals(obj as SiloAddress);

    public override int GetHashCode() => HashCode.Combine(Endpoint, Generation);

    public static bool operator ==(SiloAddress? left, SiloAddress? right) =>
        left is null ? right is null : left.Equals(right);

    public static bool operator !=(SiloAddress? left, SiloAddress? right) => !(left == right);
}
