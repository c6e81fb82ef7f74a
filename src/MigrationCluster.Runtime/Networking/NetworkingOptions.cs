using System.Net;
using System.Security.Cryptography;

namespace MigrationCluster.Runtime.Networking;

/// <summary>How silos and clients talk: framing limits, the handshake, and where to listen.</summary>
public sealed class NetworkingOptions
{
    /// <summary>8 MiB: far above any grain message, small enough that a bad length cannot exhaust memory.</summary>
    public const int DefaultMaxFrameSize = 8 * 1024 * 1024;

    /// <summary>Small frames only: the length prefix plus a few bytes of header must fit.</summary>
    public const int MinMaxFrameSize = 1024;

    /// <summary>Loopback unless configured otherwise: a local cluster must not be reachable from the network.</summary>
    public const string DefaultListenAddress = "127.0.0.1";

    /// <summary>0 lets the operating system pick a free port.</summary>
    public const int DefaultListenPort = 0;

    /// <summary>Cluster ids travel in the hello, which must stay small.</summary>
    public const int MaxClusterIdLength = 200;

    /// <summary>HMAC-SHA256 keys shorter than this are guessable.</summary>
    public const int MinClusterKeyLength = 16;

    /// <summary>A generated key's length: SHA-256's block-sized strength.</summary>
    public const int GeneratedClusterKeyLength = 32;

    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(5);

    public int MaxFrameSize { get; set; } = DefaultMaxFrameSize;

    /// <summary>How long a peer has, from TCP connect, to finish the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = DefaultHandshakeTimeout;

    /// <summary>Peers with another cluster id are refused.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>The shared secret, as bytes. Set this or <see cref="ClusterKeyBase64"/> (from configuration).</summary>
    public ReadOnlyMemory<byte> ClusterKey { get; set; }

    /// <summary>The shared secret, base64-encoded, as it appears in configuration files and environment variables.</summary>
    public string? ClusterKeyBase64 { get; set; }

    public string ListenAddress { get; set; } = DefaultListenAddress;

    public int ListenPort { get; set; } = DefaultListenPort;

    /// <summary>A fresh random key, e.g. for a local cluster's state directory.</summary>
    public static byte[] GenerateClusterKey() => RandomNumberGenerator.GetBytes(GeneratedClusterKeyLength);

    /// <summary>The key from <see cref="ClusterKey"/> or <see cref="ClusterKeyBase64"/>.</summary>
    public byte[] GetClusterKey()
    {
        if (!ClusterKey.IsEmpty)
        {
            return ClusterKey.ToArray();
        }

        if (string.IsNullOrWhiteSpace(ClusterKeyBase64))
        {
            return [];
        }

        try
        {
            return Convert.FromBase64String(ClusterKeyBase64);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{nameof(NetworkingOptions)}.{nameof(ClusterKeyBase64)} is not valid base64.", e);
        }
    }

    public IPEndPoint GetListenEndPoint() => new(IPAddress.Parse(ListenAddress), ListenPort);

    public void Validate()
    {
        const string name = nameof(NetworkingOptions);
        if (MaxFrameSize < MinMaxFrameSize)
        {
            throw new ArgumentException($"{name}.{nameof(MaxFrameSize)} is {MaxFrameSize}; it must be at least {MinMaxFrameSize} bytes.");
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name}.{nameof(HandshakeTimeout)} must be positive (was {HandshakeTimeout}).");
        }

        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException($"{name}.{nameof(ClusterId)} is required: peers with another cluster id are refused.");
        }

        if (ClusterId.Length > MaxClusterIdLength)
        {
            throw new ArgumentException($"{name}.{nameof(ClusterId)} is {ClusterId.Length} characters long; at most {MaxClusterIdLength} are allowed.");
        }

        if (!ClusterKey.IsEmpty && !string.IsNullOrWhiteSpace(ClusterKeyBase64))
        {
            throw new ArgumentException($"{name}: set {nameof(ClusterKey)} or {nameof(ClusterKeyBase64)}, not both.");
        }

        var keyLength = GetClusterKey().Length;
        if (keyLength < MinClusterKeyLength)
        {
            throw new ArgumentException(keyLength == 0
                ? $"{name}.{nameof(ClusterKey)} is required (at least {MinClusterKeyLength} bytes; set {nameof(ClusterKeyBase64)} in configuration)."
                : $"{name}.{nameof(ClusterKey)} is {keyLength} bytes; at least {MinClusterKeyLength} are required.");
        }

        if (!IPAddress.TryParse(ListenAddress, out _))
        {
            throw new ArgumentException($"{name}.{nameof(ListenAddress)} '{ListenAddress}' is not an IP address.");
        }

        if (ListenPort is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"{name}.{nameof(ListenPort)} {ListenPort} is not a TCP port (0 picks a free one).");
        }
    }

    /// <summary>For start-up logs: the key is redacted.</summary>
    public override string ToString() =>
        $"ClusterId={ClusterId}, ClusterKey=<redacted>, Listen={ListenAddress}:{ListenPort}, MaxFrameSize={MaxFrameSize}, HandshakeTimeout={HandshakeTimeout}";
}
