using System.Reflection;
using System.Text.Json;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;

namespace MigrationCluster.Grains.Tests;

/// <summary>
/// Every type that crosses a grain boundary must have an Orleans codec and copier (a generated
/// serializer or a registered surrogate): a missing one fails here, not in the middle of a run.
/// </summary>
public sealed class GrainInterfaceSerializationTests
{
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true, Converters = { new BatchRunAsPages(), new PteBatchAsPtes() } };


    public static TheoryData<Type> TypesInGrainInterfaces()
    {
        var data = new TheoryData<Type>();
        foreach (var type in TypesUsed())
        {
            data.Add(type);
        }
        return data;
    }

    [Fact]
    public void The_enumeration_finds_the_interfaces_and_their_batch_types()
    {
        var types = TypesUsed();
        Assert.Contains(typeof(BatchRun), types);
        Assert.Contains(typeof(MigrationRequest[]), types);
        Assert.Contains(typeof(UnlockResult), types);
        Assert.True(types.Count > 25, $"only {types.Count} types found");
    }

    [Theory]
    [MemberData(nameof(TypesInGrainInterfaces))]
    public void A_sample_round_trips_through_the_serializer_and_the_copier(Type type)
    {
        using var services = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(INumaNodeGrain).Assembly))
            .BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var copier = services.GetRequiredService<DeepCopier>();
        var sample = SampleOf(type, depth: 0)!;
        var expected = Describe(sample, type);

        // Typed as the interface declares it, as a grain call's generated invoker does.
        var bytes = Invoke(serializer, nameof(Serializer.SerializeToArray), type, sample);
        var back = Invoke(serializer, nameof(Serializer.Deserialize), type, bytes);
        Assert.IsAssignableFrom(type, back);
        Assert.Equal(expected, Describe(back, type));

        var copy = Invoke(copier, nameof(DeepCopier.Copy), type, sample);
        Assert.Equal(expected, Describe(copy, type));
    }

    [Fact]
    public void A_batch_run_travels_as_its_window_only_and_is_handed_over_by_reference_within_a_silo()
    {
        using var services = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(INumaNodeGrain).Assembly))
            .BuildServiceProvider();
        var pages = (MigrationPage[])SampleOf(typeof(MigrationPage[]), 0)!;
        pages = [.. pages, .. pages, .. pages];
        pages[3].TargetNode = 42;
        var run = new BatchRun(pages, 2, 3);

        var back = services.GetRequiredService<Serializer>().Deserialize<BatchRun>(services.GetRequiredService<Serializer>().SerializeToArray(run));
        Assert.Equal((0, 3), (back.Start, back.Length));
        Assert.Equal(3, back.Pages.Length);
        Assert.Equal(42, back.Pages[1].TargetNode);
        Assert.False(back.IsSameWindowAs(run));

        var copy = services.GetRequiredService<DeepCopier>().Copy(run);
        Assert.True(copy.IsSameWindowAs(run));

        // PTE lists are facts nobody changes: within a silo they are handed over, in results too.
        MigrationPte[] ptes = [new(1, new(2, 3))];
        var walked = services.GetRequiredService<DeepCopier>().Copy(new RmapWalkResult(run, new PteBatch(ptes)));
        Assert.Same(ptes, walked.Ptes.Array);
        var travelled = services.GetRequiredService<Serializer>().Deserialize<PteBatch>(services.GetRequiredService<Serializer>().SerializeToArray(new PteBatch(ptes)));
        Assert.Equal(ptes, travelled.Ptes.ToArray());
        Assert.True(walked.Run.IsSameWindowAs(run));

        // A window on a larger array crosses silos as just its PTEs.
        MigrationPte[] three = [new(0, new(1, 1)), new(1, new(2, 3)), new(2, new(3, 4))];
        var serializer = services.GetRequiredService<Serializer>();
        var window = serializer.Deserialize<PteBatch>(serializer.SerializeToArray(new PteBatch(three, 1, 2)));
        Assert.Equal(three[1..], window.Ptes.ToArray());
        Assert.True(window.IsWholeArray);
    }

    /// <summary>A value's contents as JSON (a batch run by its window's pages, a PTE batch by its window's PTEs).</summary>
    private static string Describe(object value, Type type) => JsonSerializer.Serialize(value, type, Json);

    /// <summary>A batch run is its window's pages: where the window lies is the sender's business.</summary>
    private sealed class BatchRunAsPages : System.Text.Json.Serialization.JsonConverter<BatchRun>
    {
        public override BatchRun Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, BatchRun value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Span.ToArray(), options);
    }

    /// <summary>A PTE batch is its window's PTEs, likewise.</summary>
    private sealed class PteBatchAsPtes : System.Text.Json.Serialization.JsonConverter<PteBatch>
    {
        public override PteBatch Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, PteBatch value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Ptes.ToArray(), options);
    }

    /// <summary>Calls the one-argument generic <paramref name="name"/>&lt;T&gt; of <paramref name="target"/> with T = <paramref name="type"/>.</summary>
    private static object Invoke(object target, string name, Type type, object argument)
    {
        var method = target.GetType().GetMethods()
            .Single(m => m.Name == name && m.IsGenericMethodDefinition && m.GetParameters().Length == 1
                && (m.GetParameters()[0].ParameterType.IsGenericParameter || m.GetParameters()[0].ParameterType == argument.GetType()));
        return method.MakeGenericMethod(type).Invoke(target, [argument])!;
    }

    /// <summary>Parameter and result types of every grain interface method (tasks unwrapped).</summary>
    private static List<Type> TypesUsed()
    {
        var interfaces = typeof(INumaNodeGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t));
        var types = new HashSet<Type>();
        foreach (var method in interfaces.SelectMany(i => i.GetMethods()))
        {
            foreach (var parameter in method.GetParameters())
            {
                types.Add(parameter.ParameterType);
            }
            if (method.ReturnType.IsGenericType)
            {
                types.Add(method.ReturnType.GetGenericArguments()[0]);
            }
        }
        types.Remove(typeof(CancellationToken));
        return [.. types.OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }

    /// <summary>A value of <paramref name="type"/> with every field set to something other than its default.</summary>
    private static object? SampleOf(Type type, int depth)
    {
        if (depth > 6)
        {
            throw new InvalidOperationException($"{type} nests too deep for a sample");
        }
        if (type == typeof(PteBatch)) return new PteBatch((MigrationPte[])SampleOf(typeof(MigrationPte[]), depth + 1)!);
        if (type == typeof(BatchRun)) return BatchRun.Of((MigrationPage[])SampleOf(typeof(MigrationPage[]), depth + 1)!);
        // A machine must be valid to exist: two nodes, the second without CPUs, every cost off its default.
        if (type == typeof(MachineProfile)) return new MachineProfile("sample", "a sample machine", 4096, [4, 0], [[80, 250], [250, 80]], [[6, 3.5], [3.5, 4]], [45, 20], new CostModelOptions { SyscallNs = 701, LruDrainIpiNs = 1801, IsolateNs = 471, StepNs = 61, TlbIpiNs = 226, RemapNs = 201, CpusPerNode = 3 });
        if (type == typeof(string)) return "sample";
        if (type == typeof(bool)) return true;
        if (type == typeof(int)) return 7;
        if (type == typeof(long)) return 1234567890123L;
        if (type == typeof(ulong)) return 0xFEEDUL;
        if (type == typeof(double)) return 2.5;
        if (type == typeof(byte)) return (byte)3;
        if (type == typeof(ushort)) return (ushort)5;
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1);
        }
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var array = Array.CreateInstance(element, 2);
            array.SetValue(SampleOf(element, depth + 1), 0);
            array.SetValue(SampleOf(element, depth + 1), 1);
            return array;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)))
        {
            var args = type.GetGenericArguments();
            var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
            dictionary.Add(SampleOf(args[0], depth + 1)!, SampleOf(args[1], depth + 1));
            return dictionary;
        }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) || type.GetGenericTypeDefinition() == typeof(List<>)))
        {
            var element = type.GetGenericArguments()[0];
            var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(SampleOf(element, depth + 1));
            return list;
        }

        // Records and plain structs: the widest constructor, then every public settable field and property.
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        var value = constructor is null
            ? Activator.CreateInstance(type)!
            : constructor.Invoke([.. constructor.GetParameters().Select(p => SampleOf(p.ParameterType, depth + 1))]);
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => !f.IsInitOnly))
        {
            field.SetValue(value, SampleOf(field.FieldType, depth + 1));
        }
        return value;
    }
}
