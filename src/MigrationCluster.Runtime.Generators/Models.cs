using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace MigrationCluster.Runtime.Generators;

/// <summary>What the generator needs of a grain interface: plain strings, so incremental caching can compare models.</summary>
internal sealed record InterfaceModel(
    string Namespace,
    string Name,
    string FullyQualifiedName,
    EquatableArray<MethodModel> Methods,
    EquatableArray<DiagnosticModel> Diagnostics);

internal sealed record MethodModel(
    string Name,
    int Id,
    ReturnKind ReturnKind,
    string? ResultType,
    string? ResultTypeOf,
    EquatableArray<ParameterModel> Parameters,
    int Options,
    string? Timeout);

internal sealed record ParameterModel(string Name, string Type, string TypeOf, bool IsCancellationToken, bool IsKnownImmutable);

internal sealed record DiagnosticModel(string Id, string Message, string FilePath, int StartLine, int StartColumn, int EndLine, int EndColumn, int SpanStart, int SpanLength);

internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>An immutable array compared by its items (ImmutableArray compares by reference).</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>
    where T : IEquatable<T>
{
    private readonly ImmutableArray<T> _items;

    public EquatableArray(IEnumerable<T> items)
    {
        _items = items.ToImmutableArray();
    }

    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in Items)
        {
            hash = (hash * 31) + item.GetHashCode();
        }
        return hash;
    }
}
