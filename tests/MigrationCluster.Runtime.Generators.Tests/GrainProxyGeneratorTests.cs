using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Generators;

namespace MigrationCluster.Runtime.Generators.Tests;

public sealed class GrainProxyGeneratorTests
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static (ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileDiagnostics, string[] Sources) Run(string source)
    {
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.Location.Length > 0)
            .Select(a => MetadataReference.CreateFromFile(a.Location))
            .Append(MetadataReference.CreateFromFile(typeof(IGrain).Assembly.Location));
        var compilation = CSharpCompilation.Create(
            "GeneratorTest",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Sample.cs")],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create([new GrainProxyGenerator().AsSourceGenerator()], parseOptions: ParseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        return (diagnostics, output.GetDiagnostics(), [.. result.GeneratedTrees.Select(t => t.ToString())]);
    }

    [Fact]
    public void A_valid_interface_gets_a_proxy_and_requests_that_compile()
    {
        var (generatorDiagnostics, compileDiagnostics, sources) = Run("""
            using System.Threading;
            using System.Threading.Tasks;
            using MigrationCluster.Runtime.Core;
            namespace Sample;
            public interface INode : IGrainWithIntegerKey
            {
                Task<int> Ping(int value);
                Task Plain(string? text, CancellationToken token);
                [OneWay] ValueTask Fire(long id);
                [ReadOnly] ValueTask<string> Name();
                [ResponseTimeout("00:00:02")] Task<int[]> Pages(int node);
            }
            """);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(compileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var text = Assert.Single(sources);
        Assert.Contains("class INode_Proxy", text);
        Assert.Contains("INode_Ping_0_Request", text);
        Assert.Contains("INode_Pages_4_Request", text);
        Assert.DoesNotContain("GetMethod(", text); // no reflection on the call path
    }

    [Theory]
    [InlineData("int Sync();", "MCG001", "must return Task")]
    [InlineData("Task Ref(ref int x);", "MCG002", "by ref")]
    [InlineData("Task<T> Generic<T>(T x);", "MCG003", "generic")]
    [InlineData("int Count { get; }", "MCG004", "property 'Count'")]
    [InlineData("[OneWay] Task<int> Fire();", "MCG006", "one-way")]
    public void An_unsupported_member_fails_the_build_with_a_clear_diagnostic(string member, string id, string words)
    {
        var (diagnostics, _, sources) = Run($$"""
            using System.Threading.Tasks;
            using MigrationCluster.Runtime.Core;
            namespace Sample;
            public interface IBad : IGrainWithIntegerKey
            {
                {{member}}
            }
            """);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("IBad", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(words, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(Location.None, diagnostic.Location);
        Assert.Empty(sources);
    }
}
