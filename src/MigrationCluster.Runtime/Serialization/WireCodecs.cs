using System.Collections.Concurrent;

namespace MigrationCluster.Runtime.Serialization;

/// <summary>
/// Hand-written binary codecs for types that cross the grain boundary often, in place of the
/// JSON fallback. Register from a module initializer, before the type's first use.
/// </summary>
public static class WireCodecs
{
    private static readonly ConcurrentDictionary<Type, object> Registered = new();
    private static readonly ConcurrentDictionary<Type, bool> Used = new();

    public static void Register<T>(Action<WireWriter, T> write, Func<WireReader, T> read)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        if (Used.ContainsKey(typeof(T)))
        {
            throw new InvalidOperationException($"The wire codec of {typeof(T).Name} is in use already: register it before its first use.");
        }
        Registered[typeof(T)] = (write, read);
    }

    internal static (Action<WireWriter, T>, Func<WireReader, T>)? TryGet<T>()
    {
        Used[typeof(T)] = true;
        return Registered.TryGetValue(typeof(T), out var pair) ? ((Action<WireWriter, T>, Func<WireReader, T>))pair : null;
    }
}
