using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// The mutual handshake that opens every connection. Both sides at once:
/// 1. send a hello: magic, protocol version, cluster id, own identity, a fresh random nonce;
/// 2. read the peer's hello and refuse another cluster id or protocol version;
/// 3. send a proof of the key: HMAC-SHA256(clusterKey, peer's nonce || own nonce || own identity
///    || peer's identity || cluster id), tagged with the sender's role;
/// 4. read the peer's proof and compare it in constant time with the expected one.
/// The role tag and the fixed order of identities make a proof useless for the reverse
/// direction, so a peer without the key cannot get us to compute its answer for it.
/// </summary>
internal static class Handshake
{
    /// <summary>"MCLU" in little-endian order.</summary>
    public const uint Magic = 0x554C_434D;

    public const ushort ProtocolVersion = 1;

    public const int NonceSize = 32;

    /// <summary>Hellos are small; a larger "frame" during the handshake is garbage and is refused at once.</summary>
    public const int MaxHandshakeFrameSize = 1024;

    private const byte HelloKind = 1;
    private const byte ProofKind = 2;
    private const int HeaderSize = 4 + 2 + 1;
    private const int ProofSize = 32;
    private static readonly byte[] ProofLabel = "MigrationCluster handshake proof v1"u8.ToArray();

    /// <summary>Runs the handshake; returns the authenticated peer, or throws <see cref="ConnectionRefusedException"/>.</summary>
    public static async Task<PeerIdentity> RunAsync(
        PipeReader input, CoalescingFrameSender output, PeerIdentity local, NetworkingOptions options, bool isInitiator, CancellationToken cancellationToken)
    {
        var key = options.GetClusterKey();
        var localId = local.ToString();
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        output.TrySend(EncodeHello(options.ClusterId, localId, nonce), default);

        var hello = await ReadFrameAsync(input, "hello", cancellationToken).ConfigureAwait(false);
        var (peerClusterId, peerId, peerNonce) = DecodeHello(hello);
        if (!string.Equals(peerClusterId, options.ClusterId, StringComparison.Ordinal))
        {
            throw new ConnectionRefusedException($"wrong cluster id '{peerClusterId}' (expected '{options.ClusterId}')");
        }

        if (!PeerIdentity.TryParse(peerId, out var peer))
        {
            throw new ConnectionRefusedException($"peer sent an invalid identity '{peerId}'");
        }

        if (CryptographicOperations.FixedTimeEquals(peerNonce, nonce))
        {
            throw new ConnectionRefusedException("peer echoed our nonce (a reflection attempt)");
        }

        var proof = ComputeProof(key, proverIsInitiator: isInitiator, verifierNonce: peerNonce, proverNonce: nonce, localId, peerId, options.ClusterId);
        output.TrySend(EncodeProof(proof), default);

        var peerProofFrame = await ReadFrameAsync(input, "proof", cancellationToken).ConfigureAwait(false);
        var peerProof = DecodeProof(peerProofFrame);
        var expected = ComputeProof(key, proverIsInitiator: !isInitiator, verifierNonce: nonce, proverNonce: peerNonce, peerId, localId, options.ClusterId);
        if (!CryptographicOperations.FixedTimeEquals(peerProof, expected))
        {
            throw new ConnectionRefusedException($"peer {peerId} failed authentication (its proof does not match our cluster key)");
        }

        return peer;
    }

    internal static byte[] EncodeHello(string clusterId, string identity, byte[] nonce)
    {
        var cluster = Encoding.UTF8.GetBytes(clusterId);
        var id = Encoding.UTF8.GetBytes(identity);
        var buffer = new byte[HeaderSize + NonceSize + 2 + cluster.Length + 2 + id.Length];
        var span = WriteHeader(buffer, HelloKind);
        nonce.CopyTo(span);
        span = span[NonceSize..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)cluster.Length);
        cluster.CopyTo(span[2..]);
        span = span[(2 + cluster.Length)..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)id.Length);
        id.CopyTo(span[2..]);
        return buffer;
    }

    private static (string ClusterId, string Identity, byte[] Nonce) DecodeHello(byte[] frame)
    {
        var span = ReadHeader(frame, HelloKind, "hello");
        try
        {
            var nonce = span[..NonceSize].ToArray();
            span = span[NonceSize..];
            var clusterLength = BinaryPrimitives.ReadUInt16LittleEndian(span);
            var clusterId = Encoding.UTF8.GetString(span.Slice(2, clusterLength));
            span = span[(2 + clusterLength)..];
            var idLength = BinaryPrimitives.ReadUInt16LittleEndian(span);
            var identity = Encoding.UTF8.GetString(span.Slice(2, idLength));
            return (clusterId, identity, nonce);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ConnectionRefusedException("not a MigrationCluster peer: malformed hello", e);
        }
    }

    private static byte[] EncodeProof(byte[] proof)
    {
        var buffer = new byte[HeaderSize + ProofSize];
        proof.CopyTo(WriteHeader(buffer, ProofKind));
        return buffer;
    }

    private static byte[] DecodeProof(byte[] frame)
    {
        var span = ReadHeader(frame, ProofKind, "proof");
        if (span.Length != ProofSize)
        {
            throw new ConnectionRefusedException("not a MigrationCluster peer: malformed proof");
        }

        return span.ToArray();
    }

    private static Span<byte> WriteHeader(byte[] buffer, byte kind)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), ProtocolVersion);
        buffer[6] = kind;
        return buffer.AsSpan(HeaderSize);
    }

    private static ReadOnlySpan<byte> ReadHeader(byte[] frame, byte kind, string what)
    {
        if (frame.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(frame) != Magic)
        {
            throw new ConnectionRefusedException($"not a MigrationCluster peer: bad {what}");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(4));
        if (version != ProtocolVersion)
        {
            throw new ConnectionRefusedException($"peer speaks protocol version {version} (expected {ProtocolVersion})");
        }

        if (frame[6] != kind)
        {
            throw new ConnectionRefusedException($"not a MigrationCluster peer: expected a {what}, got message kind {frame[6]}");
        }

        return frame.AsSpan(HeaderSize);
    }

    private static byte[] ComputeProof(
        byte[] key, bool proverIsInitiator, byte[] verifierNonce, byte[] proverNonce, string proverId, string verifierId, string clusterId)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(ProofLabel);
        hmac.AppendData([proverIsInitiator ? (byte)1 : (byte)2]);
        hmac.AppendData(verifierNonce);
        hmac.AppendData(proverNonce);
        AppendString(hmac, proverId);
        AppendString(hmac, verifierId);
        AppendString(hmac, clusterId);
        return hmac.GetHashAndReset();
    }

    // Length-prefixed, so that ("ab", "c") and ("a", "bc") hash differently.
    private static void AppendString(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    private static async Task<byte[]> ReadFrameAsync(PipeReader input, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            ReadOnlySequence<byte> payload;
            bool complete;
            try
            {
                complete = FrameCodec.TryReadFrame(ref buffer, MaxHandshakeFrameSize, out payload);
            }
            catch (NetworkProtocolException e)
            {
                input.AdvanceTo(result.Buffer.Start);
                throw new ConnectionRefusedException($"not a MigrationCluster peer: {e.Message} during the handshake", e);
            }

            if (complete)
            {
                var frame = payload.ToArray();
                input.AdvanceTo(buffer.Start);
                return frame;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new ConnectionRefusedException($"peer closed the connection before sending its {what}");
            }
        }
    }
}
