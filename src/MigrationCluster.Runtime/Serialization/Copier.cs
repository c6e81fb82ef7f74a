using System.Collections.Immutable;
using System.Reflection;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Serialization;

/// <summary>
/// Isolates a value that crosses the grain boundary inside one silo: immutable values pass by
/// reference, anything else is deep-copied through the wire codec (so a local call sees exactly
/// what a remote call would). The immutability check runs once per type.
/// </summary>
public static class Copier<T>
{
    public static readonly bool IsShallowCopyable = TypeTraits.IsShallowCopyable(typeof(T));

    // Small enough to inline: for a shallow-copyable T (a static readonly the JIT folds) a copy is free.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static T Copy(T value) => IsShallowCopyable || value is null ? value : DeepCopy(value);

    private static T DeepCopy(T value)
    {
        using var writer = new WireWriter();
        WireCodec<T>.Write(writer, value);
        return WireCodec<T>.Read(new WireReader(writer.WrittenMemory));
    }
}

/// <summary>What the copier may share instead of copying.</summary>
public static class TypeTraits
{
    private static readonly HashSet<Type> KnownImmutable =
    [
        typeof(string), typeof(decimal), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
        typeof(Guid), typeof(GrainId), typeof(VoidResult), typeof(Uri), typeof(Version), typeof(CancellationToken),
    ];

    private static readonly HashSet<Type> ImmutableCollections =
    [
        typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableHashSet<>), typeof(ImmutableDictionary<,>),
        typeof(ImmutableSortedDictionary<,>), typeof(ImmutableSortedSet<>), typeof(ImmutableQueue<>), typeof(ImmutableStack<>),
    ];

    public static bool IsShallowCopyable(Type type) => IsShallowCopyable(type, []);

    private static bool IsShallowCopyable(Type type, HashSet<Type> visiting)
    {
        if (type.IsPrimitive || type.IsEnum || KnownImmutable.Contains(type) || type.IsPointer)
        {
            return true;
        }
        if (type.GetCustomAttribute<ImmutableAttribute>() is not null)
        {
            return true;
        }
        if (typeof(IAddressable).IsAssignableFrom(type) && (type.IsInterface || typeof(GrainReference).IsAssignableFrom(type)))
        {
            return true;
        }
        if (!visiting.Add(type))
        {
            return true;
        }
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(Nullable<>) || ImmutableCollections.Contains(definition))
            {
                return type.GetGenericArguments().All(a => IsShallowCopyable(a, visiting));
            }
        }
        if (type.IsArray || type.IsInterface || type.IsAbstract)
        {
            return false;
        }
        if (type.IsClass && !type.IsSealed)
        {
            // A subclass could add mutable state.
            return false;
        }
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (type.IsClass && !field.IsInitOnly)
                {
                    return false;
                }
                if (!IsShallowCopyable(field.FieldType, visiting))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
