using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Serialization;
using MigrationCluster.Runtime.Tests.Grains;

namespace MigrationCluster.Runtime.Tests.Serialization;

public sealed class CodecRoundTripTests
{
    /// <summary>Every parameter and result type of every generated grain interface.</summary>
    public static TheoryData<string> InterfaceTypes()
    {
        RuntimeHelpers.RunModuleConstructor(typeof(TestSilo).Module.ModuleHandle);
        var data = new TheoryData<string>();
        foreach (var type in AllTypes().Select(t => t.AssemblyQualifiedName!).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(type);
        }
        return data;
    }

    private static IEnumerable<Type> AllTypes() => GrainInterfaceRegistry.Interfaces
        .SelectMany(GrainInterfaceRegistry.GetMethods)
        .SelectMany(m => m.ResultType is null ? m.ParameterTypes : m.ParameterTypes.Append(m.ResultType))
        .Where(t => t != typeof(CancellationToken));

    [Fact]
    public void The_enumeration_covers_this_assemblys_interfaces()
    {
        RuntimeHelpers.RunModuleConstructor(typeof(TestSilo).Module.ModuleHandle);
        Assert.Contains(typeof(IDataGrain), GrainInterfaceRegistry.Interfaces);
        Assert.Contains(typeof(NodeInfo), AllTypes());
        Assert.Contains(typeof(IDataGrain), AllTypes());
    }

    [Theory]
    [MemberData(nameof(InterfaceTypes))]
    public async Task Type_round_trips_through_the_wire_codec(string assemblyQualifiedName)
    {
        var type = Type.GetType(assemblyQualifiedName, throwOnError: true)!;
        await using var silo = TestSilo.Create();
        var sample = SampleValues.Create(type, silo.GrainFactory);
        var roundTrip = typeof(CodecRoundTripTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        var copy = roundTrip.Invoke(null, [sample, silo.GrainFactory]);
        Assert.Equal(Describe(sample), Describe(copy));
    }

    private static T RoundTrip<T>(T value, Core.IGrainFactory factory)
    {
        using var writer = new WireWriter();
        WireCodec<T>.Write(writer, value);
        var previous = JsonWireOptions.CurrentGrainFactory;
        JsonWireOptions.CurrentGrainFactory = factory;
        try
        {
            var reader = new WireReader(writer.WrittenMemory);
            var result = WireCodec<T>.Read(reader);
            Assert.Equal(0, reader.Remaining);
            return result;
        }
        finally
        {
            JsonWireOptions.CurrentGrainFactory = previous;
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        GrainReference reference => "ref:" + reference.GrainId,
        _ => JsonSerializer.Serialize(value, value.GetType(), JsonWireOptions.Serializer),
    };

    [Fact]
    public async Task A_request_message_round_trips_with_headers_and_arguments()
    {
        await using var silo = TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<IDataGrain>(Guid.NewGuid());
        var request = (Request)Activator.CreateInstance(typeof(IDataGrain).Assembly.GetTypes().Single(t => t.Name == "IDataGrain_EchoLater_0_Request"))!;
        request.Target = Core.GrainExtensions.GetGrainId(grain);
        request.Sender = new Core.GrainId("caller", "1");
        request.CorrelationId = 99;
        request.DeadlineTimestamp = 1_000 + TimeSpan.TicksPerSecond;
        request.CallChainId = Guid.NewGuid();
        request.TraceContext = new System.Diagnostics.ActivityContext(System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom(), System.Diagnostics.ActivityTraceFlags.Recorded, "k=v");
        request.GetType().GetField("Arg0")!.SetValue(request, new List<int> { 3, 1, 4 });
        request.GetType().GetField("Arg1")!.SetValue(request, 15);

        using var writer = new WireWriter();
        MessageCodec.WriteRequest(writer, request, nowTimestamp: 1_000, timestampFrequency: TimeSpan.TicksPerSecond);
        var reader = new WireReader(writer.WrittenMemory);
        var (kind, correlation) = MessageCodec.ReadHeader(reader);
        var read = MessageCodec.ReadRequest(reader, correlation, nowTimestamp: 5_000, timestampFrequency: TimeSpan.TicksPerSecond, silo.GrainFactory);

        Assert.Equal(MessageKind.Request, kind);
        Assert.Equal(99, correlation);
        Assert.Equal(request.Target, read.Target);
        Assert.Equal(request.Sender, read.Sender);
        Assert.Equal(request.CallChainId, read.CallChainId);
        Assert.Equal(request.TraceContext.TraceId, read.TraceContext.TraceId);
        Assert.Equal(request.TraceContext.SpanId, read.TraceContext.SpanId);
        Assert.Equal("k=v", read.TraceContext.TraceState);
        Assert.Equal(5_000 + TimeSpan.TicksPerSecond, read.DeadlineTimestamp); // time left is kept, not the clock
        Assert.Equal(request.Method, read.Method);
        Assert.Equal([3, 1, 4], (List<int>)read.GetType().GetField("Arg0")!.GetValue(read)!);
        Assert.Equal(15, read.GetType().GetField("Arg1")!.GetValue(read));
    }

    [Fact]
    public void Garbage_is_a_wire_format_error_not_a_crash()
    {
        var reader = new WireReader(new byte[] { 9, 9, 9 });
        Assert.Throws<WireFormatException>(() => MessageCodec.ReadHeader(reader));
        var truncated = new WireReader(new byte[] { MessageCodec.Version, (byte)MessageKind.Request, 1, 2 });
        Assert.Throws<WireFormatException>(() => MessageCodec.ReadHeader(truncated));
    }

    [Fact]
    public void Immutable_types_are_shared_and_mutable_ones_copied()
    {
        Assert.False(Copier<NodeInfo>.IsShallowCopyable); // its IReadOnlyList member may be a mutable list
        Assert.True(Copier<Core.GrainId>.IsShallowCopyable);
        Assert.True(Copier<string>.IsShallowCopyable);
        Assert.False(Copier<List<int>>.IsShallowCopyable);
        var list = new List<int> { 1 };
        Assert.NotSame(list, Copier<List<int>>.Copy(list));
    }
}
