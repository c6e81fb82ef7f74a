using Microsoft.CodeAnalysis;

namespace MigrationCluster.Runtime.Generators;

/// <summary>The diagnostics of the grain proxy generator: each names the member and what to do.</summary>
internal static class Descriptors
{
    private const string Category = "MigrationCluster.Grains";

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Make("MCG001", "Unsupported grain method return type");
    public static readonly DiagnosticDescriptor RefParameter = Make("MCG002", "Grain method parameter passed by reference");
    public static readonly DiagnosticDescriptor GenericMethod = Make("MCG003", "Generic grain method");
    public static readonly DiagnosticDescriptor UnsupportedMember = Make("MCG004", "Grain interface member is not a method");
    public static readonly DiagnosticDescriptor GenericInterface = Make("MCG005", "Generic grain interface");
    public static readonly DiagnosticDescriptor OneWayWithResult = Make("MCG006", "One-way grain method returns a value");
    public static readonly DiagnosticDescriptor NestedInterface = Make("MCG007", "Nested grain interface");

    public static DiagnosticDescriptor ById(string id) => id switch
    {
        "MCG001" => UnsupportedReturnType,
        "MCG002" => RefParameter,
        "MCG003" => GenericMethod,
        "MCG004" => UnsupportedMember,
        "MCG005" => GenericInterface,
        "MCG006" => OneWayWithResult,
        _ => NestedInterface,
    };

    private static DiagnosticDescriptor Make(string id, string title) =>
        new(id, title, "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
