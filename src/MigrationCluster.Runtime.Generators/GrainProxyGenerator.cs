using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MigrationCluster.Runtime.Generators;

/// <summary>
/// For every grain interface (an interface that extends <c>MigrationCluster.Runtime.Core.IGrain</c>)
/// declared in the compilation, generates a proxy (the typed reference) and one request class per
/// method (arguments as fields, the call, the wire form), and registers them with the runtime in
/// a module initializer. Grain calls therefore cost no reflection.
/// </summary>
[Generator]
public sealed class GrainProxyGenerator : IIncrementalGenerator
{
    private const string GrainInterface = "MigrationCluster.Runtime.Core.IGrain";
    private const string AttributeNamespace = "MigrationCluster.Runtime.Core.";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var interfaces = context.SyntaxProvider.CreateSyntaxProvider(
                static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
                static (ctx, ct) => Analyze(ctx, ct))
            .Where(static model => model is not null)
            .Select(static (model, _) => model!);

        context.RegisterSourceOutput(interfaces, static (spc, model) =>
        {
            foreach (var diagnostic in model.Diagnostics.Items)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Descriptors.ById(diagnostic.Id), ToLocation(diagnostic), diagnostic.Message));
            }
            if (model.Diagnostics.Items.Length == 0)
            {
                spc.AddSource($"{model.Namespace}.{model.Name}.g.cs".TrimStart('.'), SourceText.From(ProxyEmitter.Emit(model), System.Text.Encoding.UTF8));
            }
        });
    }

    private static Location ToLocation(DiagnosticModel d) => d.FilePath.Length == 0
        ? Location.None
        : Location.Create(d.FilePath, new TextSpan(d.SpanStart, d.SpanLength), new LinePositionSpan(new LinePosition(d.StartLine, d.StartColumn), new LinePosition(d.EndLine, d.EndColumn)));

    private static InterfaceModel? Analyze(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol symbol)
        {
            return null;
        }
        if (!symbol.AllInterfaces.Any(i => i.ToDisplayString() == GrainInterface))
        {
            return null;
        }
        // Generate once, for the first declaration of a partial interface.
        if (symbol.DeclaringSyntaxReferences.Length > 0 && symbol.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) != context.Node)
        {
            return null;
        }

        var diagnostics = new List<DiagnosticModel>();
        if (symbol.IsGenericType)
        {
            diagnostics.Add(MakeDiagnostic(Descriptors.GenericInterface.Id, $"Grain interface {symbol.Name} is generic; generic grain interfaces are not supported", symbol));
        }
        if (symbol.ContainingType is not null)
        {
            diagnostics.Add(MakeDiagnostic(Descriptors.NestedInterface.Id, $"Grain interface {symbol.Name} is nested in {symbol.ContainingType.Name}; declare it at namespace level", symbol));
        }

        var members = new[] { symbol }.Concat(symbol.AllInterfaces)
            .Where(i => i.ToDisplayString() != GrainInterface && !i.ToDisplayString().StartsWith("MigrationCluster.Runtime.Core.IGrainWith", System.StringComparison.Ordinal) && i.ToDisplayString() != "MigrationCluster.Runtime.Core.IAddressable")
            .SelectMany(i => i.GetMembers())
            .ToList();

        var methods = new List<MethodModel>();
        var id = 0;
        foreach (var member in members)
        {
            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false } method:
                    var model = AnalyzeMethod(method, id, diagnostics);
                    if (model is not null)
                    {
                        methods.Add(model);
                        id++;
                    }
                    break;
                case IMethodSymbol:
                    break;
                case IPropertySymbol or IEventSymbol:
                    diagnostics.Add(MakeDiagnostic(Descriptors.UnsupportedMember.Id, $"Grain interface {symbol.Name} declares {member.Kind.ToString().ToLowerInvariant()} '{member.Name}'; grain interfaces may only declare methods", member));
                    break;
            }
        }

        var ns = symbol.ContainingNamespace.IsGlobalNamespace ? string.Empty : symbol.ContainingNamespace.ToDisplayString();
        return new InterfaceModel(ns, symbol.Name, symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), new EquatableArray<MethodModel>(methods), new EquatableArray<DiagnosticModel>(diagnostics));
    }

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayFormat.FullyQualifiedFormat.MiscellaneousOptions | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static MethodModel? AnalyzeMethod(IMethodSymbol method, int id, List<DiagnosticModel> diagnostics)
    {
        var where = $"{method.ContainingType.Name}.{method.Name}";
        if (method.IsGenericMethod)
        {
            diagnostics.Add(MakeDiagnostic(Descriptors.GenericMethod.Id, $"Grain method {where} is generic; generic grain methods are not supported", method));
            return null;
        }

        var returnType = method.ReturnType as INamedTypeSymbol;
        var returnName = returnType?.ConstructedFrom.ToDisplayString();
        ReturnKind kind;
        string? resultType = null;
        string? resultTypeOf = null;
        switch (returnName)
        {
            case "System.Threading.Tasks.Task":
                kind = ReturnKind.Task;
                break;
            case "System.Threading.Tasks.ValueTask":
                kind = ReturnKind.ValueTask;
                break;
            case "System.Threading.Tasks.Task<TResult>":
                kind = ReturnKind.TaskOfT;
                resultType = returnType!.TypeArguments[0].ToDisplayString(TypeFormat);
                resultTypeOf = returnType.TypeArguments[0].WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                break;
            case "System.Threading.Tasks.ValueTask<TResult>":
                kind = ReturnKind.ValueTaskOfT;
                resultType = returnType!.TypeArguments[0].ToDisplayString(TypeFormat);
                resultTypeOf = returnType.TypeArguments[0].WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                break;
            default:
                diagnostics.Add(MakeDiagnostic(Descriptors.UnsupportedReturnType.Id, $"Grain method {where} returns {method.ReturnType.ToDisplayString()}; grain methods must return Task, Task<T>, ValueTask or ValueTask<T>", method));
                return null;
        }

        var parameters = new List<ParameterModel>();
        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
            {
                diagnostics.Add(MakeDiagnostic(Descriptors.RefParameter.Id, $"Parameter '{parameter.Name}' of grain method {where} is passed by {parameter.RefKind.ToString().ToLowerInvariant()}; grain method parameters are passed by value", parameter));
                return null;
            }
            var typeName = parameter.Type.ToDisplayString(TypeFormat);
            var isToken = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken";
            parameters.Add(new ParameterModel(
                parameter.Name,
                typeName,
                parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                isToken,
                IsKnownImmutable(parameter.Type)));
        }

        var options = 0;
        string? timeout = null;
        foreach (var attribute in method.GetAttributes())
        {
            switch (attribute.AttributeClass?.ToDisplayString())
            {
                case AttributeNamespace + "OneWayAttribute":
                    options |= 1;
                    if (kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT)
                    {
                        diagnostics.Add(MakeDiagnostic(Descriptors.OneWayWithResult.Id, $"One-way grain method {where} returns a value; a one-way call has no response, so it must return Task or ValueTask", method));
                        return null;
                    }
                    break;
                case AttributeNamespace + "ReadOnlyAttribute":
                    options |= 2;
                    break;
                case AttributeNamespace + "AlwaysInterleaveAttribute":
                    options |= 4;
                    break;
                case AttributeNamespace + "ResponseTimeoutAttribute":
                    timeout = attribute.ConstructorArguments.FirstOrDefault().Value as string;
                    break;
            }
        }

        return new MethodModel(method.Name, id, kind, resultType, resultTypeOf, new EquatableArray<ParameterModel>(parameters), options, timeout);
    }

    private static bool IsKnownImmutable(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Char
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
            or SpecialType.System_Decimal or SpecialType.System_String or SpecialType.System_DateTime => true,
        _ => type.TypeKind == TypeKind.Enum || type.ToDisplayString() is "System.Guid" or "System.TimeSpan" or "System.Threading.CancellationToken" or "MigrationCluster.Runtime.Core.GrainId",
    };

    private static DiagnosticModel MakeDiagnostic(string id, string message, ISymbol symbol)
    {
        var location = symbol.Locations.FirstOrDefault(l => l.IsInSource);
        if (location is null)
        {
            return new DiagnosticModel(id, message, string.Empty, 0, 0, 0, 0, 0, 0);
        }
        var span = location.GetLineSpan();
        return new DiagnosticModel(id, message, span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character, span.EndLinePosition.Line, span.EndLinePosition.Character, location.SourceSpan.Start, location.SourceSpan.Length);
    }
}
