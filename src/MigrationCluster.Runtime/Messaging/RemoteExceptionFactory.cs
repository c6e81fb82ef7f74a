using System.Collections.Concurrent;
using System.Reflection;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>Rebuilds exceptions that crossed the wire, keeping their type and message.</summary>
internal static class RemoteExceptionFactory
{
    private static readonly ConcurrentDictionary<string, Func<string, Exception>?> Factories = new(StringComparer.Ordinal);

    public static Exception Create(string typeName, string message, string? stackTrace)
    {
        var factory = Factories.GetOrAdd(typeName, FindFactory);
        var exception = factory?.Invoke(message) ?? new RemoteGrainException(typeName, message, stackTrace);
        if (stackTrace is not null)
        {
            exception.Data["RemoteStackTrace"] = stackTrace;
        }
        return exception;
    }

    private static Func<string, Exception>? FindFactory(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: false)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t is not null);
        if (type is null || !typeof(Exception).IsAssignableFrom(type))
        {
            return null;
        }
        var constructor = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]);
        return constructor is null ? null : message => (Exception)constructor.Invoke([message]);
    }
}
