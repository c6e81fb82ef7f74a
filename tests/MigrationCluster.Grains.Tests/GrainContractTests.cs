using System.Reflection;
using System.Runtime.CompilerServices;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;

namespace MigrationCluster.Grains.Tests;

/// <summary>
/// The grain contracts: every grain interface and method has a stable alias (renaming one then
/// cannot break a rolling upgrade), no alias is used twice, the node and address-space roles are
/// all served by the one grain class of their kind, and immutable replies are handed over as they are.
/// </summary>
public sealed class GrainContractTests
{
    private static readonly Type[] NodeRoles = [typeof(INumaNodeAccessGrain), typeof(INumaNodeSyscallGrain), typeof(INumaNodeMigrationGrain), typeof(INumaNodeInspectionGrain)];

    private static readonly Type[] SpaceRoles = [typeof(IAddressSpaceAccessGrain), typeof(IAddressSpaceSyscallGrain), typeof(IAddressSpaceMigrationGrain), typeof(IAddressSpaceInspectionGrain)];

    private static List<Type> GrainInterfaces() =>
        [.. typeof(INumaNodeGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal)];

    private static MethodInfo[] DeclaredMethods(Type type) => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);

    private static string? AliasOf(MemberInfo member) => member.GetCustomAttribute<AliasAttribute>()?.Alias;

    [Fact]
    public void Every_grain_interface_and_each_of_its_methods_has_an_alias()
    {
        var interfaces = GrainInterfaces();
        Assert.True(interfaces.Count >= 14, $"only {interfaces.Count} grain interfaces found");
        Assert.Contains(typeof(INumaNodeMigrationGrain), interfaces);

        var missing = interfaces.Where(i => AliasOf(i) is null).Select(i => i.Name)
            .Concat(interfaces.SelectMany(i => DeclaredMethods(i).Where(m => AliasOf(m) is null).Select(m => $"{i.Name}.{m.Name}")))
            .ToList();
        Assert.True(missing.Count == 0, $"no [Alias]: {string.Join(", ", missing)}");
    }

    [Fact]
    public void No_alias_repeats_among_types_nor_among_the_methods_a_grain_interface_offers()
    {
        // Type aliases (grain interfaces, serialized records, surrogates) name one type each.
        var typeAliases = typeof(INumaNodeGrain).Assembly.GetTypes().Where(t => AliasOf(t) is not null && t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true).GroupBy(t => AliasOf(t)!);
        var repeated = typeAliases.Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Name))}").ToList();
        Assert.True(repeated.Count == 0, $"type aliases used twice: {string.Join("; ", repeated)}");

        // Method aliases are per interface: the whole node or address-space interface offers its
        // roles' methods side by side, so across a grain interface and those it extends none repeats.
        foreach (var grainInterface in GrainInterfaces())
        {
            var offered = new[] { grainInterface }.Concat(grainInterface.GetInterfaces().Where(i => GrainInterfaces().Contains(i))).SelectMany(DeclaredMethods);
            var twice = offered.GroupBy(m => AliasOf(m)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"{grainInterface.Name} offers the method alias(es) {string.Join(", ", twice)} more than once");
        }
    }

    [Fact]
    public void The_roles_of_a_node_and_of_an_address_space_are_served_by_the_one_grain_class_of_each_kind()
    {
        var grainClasses = typeof(INumaNodeGrain).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(Grain).IsAssignableFrom(t)).ToList();
        foreach (var (whole, roles, grainClass) in new[] { (typeof(INumaNodeGrain), NodeRoles, typeof(NumaNodeGrain)), (typeof(IAddressSpaceGrain), SpaceRoles, typeof(AddressSpaceGrain)) })
        {
            Assert.Equal(roles.Order(TypeByName.Instance), whole.GetInterfaces().Where(i => GrainInterfaces().Contains(i)).Order(TypeByName.Instance));
            foreach (var role in roles)
            {
                Assert.Equal([grainClass], grainClasses.Where(role.IsAssignableFrom));
                Assert.NotEmpty(DeclaredMethods(role));
            }
        }

        // The coordinator's protocol steps are all in the migration roles: none is left on the
        // whole interfaces, where a caller would need more than the role it plays.
        Assert.Equal(["Configure", "SetPageState"], DeclaredMethods(typeof(INumaNodeGrain)).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["Configure", "MoveTo"], DeclaredMethods(typeof(IAddressSpaceGrain)).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(20, DeclaredMethods(typeof(INumaNodeMigrationGrain)).Length); // isolate_lru_page, steps 1-4, 6, 8, 10, 12-16, 19, 20 (10 and 12 on both sides), split_folio and folio_test_partially_mapped
        Assert.Equal(7, DeclaredMethods(typeof(IAddressSpaceMigrationGrain)).Length); // steps 4, 5, 7, 9, 11, 16, and split_huge_pmd
    }

    [Fact]
    public async Task A_role_reaches_the_same_grain_as_the_whole_interface_of_that_key()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 16);
        var whole = cluster.Grains.GetGrain<INumaNodeGrain>(1);
        Assert.Equal(whole.GetGrainId(), cluster.Grains.GetGrain<INumaNodeAccessGrain>(1).GetGrainId());
        Assert.Equal(whole.GetGrainId(), cluster.Grains.GetGrain<INumaNodeSyscallGrain>(1).GetGrainId());
        Assert.Equal(whole.GetGrainId(), cluster.Grains.GetGrain<INumaNodeMigrationGrain>(1).GetGrainId());
        Assert.Equal(whole.GetGrainId(), cluster.Grains.GetGrain<INumaNodeInspectionGrain>(1).GetGrainId());
        var status = await cluster.Grains.GetGrain<INumaNodeInspectionGrain>(1).GetStatus();
        Assert.Equal((1, 16, 16), (status.Node, status.Capacity, status.FreePages));

        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(7);
        Assert.Equal(space.GetGrainId(), cluster.Grains.GetGrain<IAddressSpaceMigrationGrain>(7).GetGrainId());
        await space.Configure(GrainCluster.Process(home: 1));
        var region = await cluster.Grains.GetGrain<IAddressSpaceSyscallGrain>(7).MmapAnon(3, shared: false);
        Assert.Equal(0, (await cluster.Grains.GetGrain<IAddressSpaceAccessGrain>(7).Access(region.Start, write: true, 5)).Errno);
        Assert.Equal([region], await cluster.Grains.GetGrain<IAddressSpaceInspectionGrain>(7).GetRegions());
        Assert.Equal(15, (await whole.GetStatus()).FreePages);
    }

    [Fact]
    public void Replies_marked_immutable_are_handed_over_as_they_are_within_a_silo()
    {
        using var services = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(INumaNodeGrain).Assembly))
            .BuildServiceProvider();
        var copier = services.GetRequiredService<DeepCopier>();
        var immutable = GrainInterfaces().SelectMany(DeclaredMethods)
            .Select(m => m.ReturnType.IsGenericType ? m.ReturnType.GetGenericArguments()[0] : null)
            .Where(t => t is { IsClass: true } && t.GetCustomAttribute<ImmutableAttribute>() is not null)
            .Distinct()
            .ToList();
        Assert.Contains(typeof(MigrationRunResult), immutable);
        Assert.True(immutable.Count >= 10, $"only {immutable.Count} immutable reply types: {string.Join(", ", immutable.Select(t => t!.Name))}");
        foreach (var type in immutable)
        {
            var sample = RuntimeHelpers.GetUninitializedObject(type!);
            var copy = typeof(DeepCopier).GetMethods().Single(m => m.Name == nameof(DeepCopier.Copy) && m.IsGenericMethodDefinition).MakeGenericMethod(type!).Invoke(copier, [sample]);
            Assert.Same(sample, copy);
        }
    }

    private sealed class TypeByName : IComparer<Type>
    {
        public static readonly TypeByName Instance = new();

        public int Compare(Type? x, Type? y) => string.CompareOrdinal(x?.FullName, y?.FullName);
    }
}
