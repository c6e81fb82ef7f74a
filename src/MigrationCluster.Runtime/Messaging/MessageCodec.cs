using System.Diagnostics;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>
/// The wire form of messages between silos (one message per transport frame):
/// <code>
/// u8 version | u8 kind | i64 correlation id | kind-specific body
/// Request:   target (type, key) | sender (type|null, key) | interface full name | i32 method id
///            | i64 time-to-live ticks (0: none) | guid call chain | u8 has-trace [16 trace id, 8 span id,
///            u8 flags, tracestate] | arguments (generated, in parameter order)
/// Response:  the result (WireCodec of the method's result type)
/// ExceptionResponse: exception type full name | message | remote stack trace
/// Cancel / Rejection: (Rejection: reason)
/// </code>
/// The deadline travels as time left, since clocks of two processes do not share an origin.
/// </summary>
public static class MessageCodec
{
    public const byte Version = 1;

    public static void WriteRequest(WireWriter writer, Request request, long nowTimestamp, long timestampFrequency)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteByte(Version);
        writer.WriteByte((byte)MessageKind.Request);
        writer.WriteInt64(request.CorrelationId);
        WireCodec<GrainId>.Write(writer, request.Target);
        WireCodec<GrainId>.Write(writer, request.Sender);
        writer.WriteString(request.Method.InterfaceType.FullName);
        writer.WriteInt32(request.Method.MethodId);
        var ttlTicks = request.DeadlineTimestamp == 0
            ? 0
            : Math.Max(1, (long)((request.DeadlineTimestamp - nowTimestamp) * (double)TimeSpan.TicksPerSecond / timestampFrequency));
        writer.WriteInt64(ttlTicks);
        writer.WriteGuid(request.CallChainId);
        var trace = request.TraceContext;
        if (trace.TraceId != default)
        {
            writer.WriteByte(1);
            Span<byte> id = stackalloc byte[16];
            trace.TraceId.CopyTo(id);
            writer.WriteBytes(id);
            trace.SpanId.CopyTo(id[..8]);
            writer.WriteBytes(id[..8]);
            writer.WriteByte((byte)trace.TraceFlags);
            writer.WriteString(trace.TraceState);
        }
        else
        {
            writer.WriteByte(0);
        }
        request.SerializeArguments(writer);
    }

    /// <summary>Reads the header of a frame: version check, kind and correlation id.</summary>
    public static (MessageKind Kind, long CorrelationId) ReadHeader(WireReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new WireFormatException($"Unsupported message version {version} (this silo speaks {Version}).");
        }
        var kind = (MessageKind)reader.ReadByte();
        if (kind is < MessageKind.Request or > MessageKind.MembershipChanged)
        {
            throw new WireFormatException($"Unknown message kind {(byte)kind}.");
        }
        return (kind, reader.ReadInt64());
    }

    /// <summary>Reads a request body (after <see cref="ReadHeader"/>); grain references inside resolve through <paramref name="grainFactory"/>.</summary>
    public static Request ReadRequest(WireReader reader, long correlationId, long nowTimestamp, long timestampFrequency, IGrainFactory grainFactory)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var target = WireCodec<GrainId>.Read(reader);
        var sender = WireCodec<GrainId>.Read(reader);
        var interfaceName = ReadInterfaceName(reader, out var cached);
        var methodId = reader.ReadInt32();
        Request request;
        try
        {
            request = GrainInterfaceRegistry.CreateRequest(interfaceName, methodId);
        }
        catch (InvalidOperationException exception)
        {
            throw new WireFormatException(exception.Message, exception);
        }
        if (!cached)
        {
            RememberInterfaceName(interfaceName);
        }
        request.CorrelationId = correlationId;
        request.Target = target;
        request.Sender = sender;
        var ttlTicks = reader.ReadInt64();
        request.DeadlineTimestamp = ttlTicks == 0 ? 0 : nowTimestamp + (long)(ttlTicks / (double)TimeSpan.TicksPerSecond * timestampFrequency);
        request.CallChainId = reader.ReadGuid();
        if (reader.ReadByte() == 1)
        {
            var traceId = ActivityTraceId.CreateFromBytes(reader.ReadBytes(16));
            var spanId = ActivitySpanId.CreateFromBytes(reader.ReadBytes(8));
            var flags = (ActivityTraceFlags)reader.ReadByte();
            var state = reader.ReadString();
            request.TraceContext = new ActivityContext(traceId, spanId, flags, state, isRemote: true);
        }
        var previous = JsonWireOptions.CurrentGrainFactory;
        JsonWireOptions.CurrentGrainFactory = grainFactory;
        try
        {
            request.DeserializeArguments(reader);
        }
        finally
        {
            JsonWireOptions.CurrentGrainFactory = previous;
        }
        return request;
    }

    // A silo sees the same few interface names over and over: keep their UTF-8 forms and match
    // the bytes on the wire against them, instead of decoding a new string for every request.
    private const int MaxCachedInterfaceNames = 256;
    private static (byte[] Utf8, string Name)[] s_interfaceNames = [];

    private static string ReadInterfaceName(WireReader reader, out bool cached)
    {
        var length = reader.ReadInt32();
        if (length == -1)
        {
            throw new WireFormatException("Request without an interface name.");
        }
        var bytes = reader.ReadBytes(length);
        var known = Volatile.Read(ref s_interfaceNames);
        foreach (var (utf8, name) in known)
        {
            if (bytes.SequenceEqual(utf8))
            {
                cached = true;
                return name;
            }
        }
        cached = false;
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    // Only names of registered interfaces (a request was made from it), so a peer cannot fill the cache with junk.
    private static void RememberInterfaceName(string name)
    {
        var known = Volatile.Read(ref s_interfaceNames);
        if (known.Length >= MaxCachedInterfaceNames || Array.Exists(known, entry => entry.Name == name))
        {
            return;
        }
        // Copy on write; a lost race only drops one entry, which a later request adds again.
        Interlocked.CompareExchange(ref s_interfaceNames, [.. known, (System.Text.Encoding.UTF8.GetBytes(name), name)], known);
    }

    public static void WriteResponseHeader(WireWriter writer, long correlationId)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(Version);
        writer.WriteByte((byte)MessageKind.Response);
        writer.WriteInt64(correlationId);
    }

    public static void WriteException(WireWriter writer, long correlationId, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(exception);
        writer.WriteByte(Version);
        writer.WriteByte((byte)MessageKind.ExceptionResponse);
        writer.WriteInt64(correlationId);
        writer.WriteString(exception.GetType().FullName);
        writer.WriteString(exception.Message);
        writer.WriteString(exception.StackTrace);
    }

    /// <summary>Rebuilds an exception from the wire: the same type when it can be made from a message, else <see cref="RemoteGrainException"/>.</summary>
    public static Exception ReadException(WireReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var typeName = reader.ReadString() ?? nameof(Exception);
        var message = reader.ReadString() ?? string.Empty;
        var stackTrace = reader.ReadString();
        return RemoteExceptionFactory.Create(typeName, message, stackTrace);
    }

    public static void WriteControl(WireWriter writer, MessageKind kind, long correlationId, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteByte(Version);
        writer.WriteByte((byte)kind);
        writer.WriteInt64(correlationId);
        if (kind == MessageKind.Rejection)
        {
            writer.WriteString(reason);
        }
    }
}
