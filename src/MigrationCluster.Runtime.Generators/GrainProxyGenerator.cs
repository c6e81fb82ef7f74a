using Microsoft.CodeAnalysis;

namespace MigrationCluster.Runtime.Generators;

[Generator]
public sealed class GrainProxyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
