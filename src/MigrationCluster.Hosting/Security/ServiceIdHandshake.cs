using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace MigrationCluster.Hosting.Security;

/// <summary>
/// Orleans refuses a peer of another ClusterId but not of another ServiceId (a service's
/// identity, which its state is keyed by). This connection middleware, on every silo-to-silo and
/// client-to-gateway connection (inside TLS when it is on), has each side send its ServiceId and
/// closes the connection if they differ, before Orleans' own preamble: a silo of another service
/// never joins, a client of another service never connects.
/// </summary>
public static class ServiceIdHandshake
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly byte[] Magic = "MCSVC1"u8.ToArray();
    private const int MaxServiceIdBytes = 1024;

    /// <summary>Adds the exchange to a connection pipeline (Orleans' <c>Configure...Connection</c> callbacks).</summary>
    public static IConnectionBuilder UseServiceIdHandshake(this IConnectionBuilder builder, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        return builder.Use(next => async context =>
        {
            if (!await ExchangeAsync(context.Transport, serviceId, context.ConnectionClosed).ConfigureAwait(false))
            {
                context.Abort(new ConnectionAbortedException($"The peer is not of service '{serviceId}'."));
                return;
            }
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>Sends our ServiceId, reads the peer's; true when they are equal.</summary>
    public static async Task<bool> ExchangeAsync(IDuplexPipe transport, string serviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var ours = Encoding.UTF8.GetBytes(serviceId);
        var frame = new byte[Magic.Length + 2 + ours.Length];
        Magic.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Magic.Length), (ushort)ours.Length);
        ours.CopyTo(frame, Magic.Length + 2);
        await transport.Output.WriteAsync(frame, cancellationToken).ConfigureAwait(false);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            while (true)
            {
                var read = await transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                var verdict = Check(buffer, ours, out var consumed);
                if (verdict is not null)
                {
                    transport.Input.AdvanceTo(consumed);
                    return verdict.Value;
                }
                if (read.IsCompleted)
                {
                    transport.Input.AdvanceTo(buffer.End);
                    return false;
                }
                transport.Input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>null while the frame is incomplete; false as soon as it cannot be ours.</summary>
    private static bool? Check(ReadOnlySequence<byte> buffer, byte[] ours, out SequencePosition consumed)
    {
        consumed = buffer.Start;
        Span<byte> header = stackalloc byte[Magic.Length + 2];
        var available = (int)Math.Min(buffer.Length, header.Length);
        buffer.Slice(0, available).CopyTo(header);
        if (!header[..Math.Min(available, Magic.Length)].SequenceEqual(Magic.AsSpan(0, Math.Min(available, Magic.Length))))
        {
            consumed = buffer.End;
            return false;
        }
        if (available < header.Length)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[Magic.Length..]);
        if (length > MaxServiceIdBytes)
        {
            consumed = buffer.End;
            return false;
        }
        if (buffer.Length < header.Length + length)
        {
            return null;
        }
        var theirs = buffer.Slice(header.Length, length).ToArray();
        consumed = buffer.GetPosition(header.Length + length);
        return theirs.AsSpan().SequenceEqual(ours);
    }
}
