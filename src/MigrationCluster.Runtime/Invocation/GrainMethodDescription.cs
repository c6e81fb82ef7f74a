namespace MigrationCluster.Runtime.Invocation;

/// <summary>
/// One method of a grain interface, as the source generator saw it at build time: its names,
/// its id on the wire, its scheduling options, and the types that cross the boundary.
/// </summary>
public sealed class GrainMethodDescription
{
    public GrainMethodDescription(
        Type interfaceType,
        string methodName,
        int methodId,
        InvokeMethodOptions options,
        TimeSpan? responseTimeout,
        Type[] parameterTypes,
        Type? resultType)
    {
        InterfaceType = interfaceType;
        InterfaceName = interfaceType.Name;
        MethodName = methodName;
        MethodId = methodId;
        Options = options;
        ResponseTimeout = responseTimeout;
        ParameterTypes = parameterTypes;
        ResultType = resultType;
        FullName = $"{InterfaceName}/{methodName}";
    }

    public Type InterfaceType { get; }

    public string InterfaceName { get; }

    public string MethodName { get; }

    /// <summary><c>{Interface}/{Method}</c>: the span name and the metric tag.</summary>
    public string FullName { get; }

    public int MethodId { get; }

    public InvokeMethodOptions Options { get; }

    /// <summary>The per-method override of the silo's response timeout, if any.</summary>
    public TimeSpan? ResponseTimeout { get; }

    /// <summary>Parameter types in order (a <see cref="CancellationToken"/> included).</summary>
    public IReadOnlyList<Type> ParameterTypes { get; }

    /// <summary>The <c>T</c> of <c>Task&lt;T&gt;</c> / <c>ValueTask&lt;T&gt;</c>, or null for a void task.</summary>
    public Type? ResultType { get; }

    public bool IsOneWay => (Options & InvokeMethodOptions.OneWay) != 0;

    public bool IsReadOnly => (Options & InvokeMethodOptions.ReadOnly) != 0;

    public bool IsAlwaysInterleave => (Options & InvokeMethodOptions.AlwaysInterleave) != 0;

    public override string ToString() => FullName;
}
