using System.Collections.Concurrent;
using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Invocation;

/// <summary>Makes grain references: the grain type comes from the class that implements the interface.</summary>
internal sealed class GrainFactory(GrainTypeRegistry types, Func<IGrainCallRuntime> runtime) : IGrainFactory
{
    private readonly ConcurrentDictionary<Type, string> _grainTypes = new();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey =>
        GetGrain<TGrainInterface>(GrainId.Create(GrainTypeOf(typeof(TGrainInterface)), primaryKey));

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey =>
        GetGrain<TGrainInterface>(GrainId.Create(GrainTypeOf(typeof(TGrainInterface)), primaryKey));

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey =>
        GetGrain<TGrainInterface>(GrainId.Create(GrainTypeOf(typeof(TGrainInterface)), primaryKey));

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain =>
        GrainInterfaceRegistry.CreateProxy<TGrainInterface>(grainId, runtime());

    private string GrainTypeOf(Type grainInterface) => _grainTypes.GetOrAdd(grainInterface, types.GetGrainType);
}
