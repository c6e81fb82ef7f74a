namespace MigrationCluster.Runtime.Core;

/// <summary>Makes typed references to grains. A reference is cheap and activates nothing by itself.</summary>
public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
        where TGrainInterface : IGrainWithIntegerKey;

    TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey;

    TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
        where TGrainInterface : IGrainWithGuidKey;

    /// <summary>A reference to a known grain id (its type must implement the interface).</summary>
    TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IGrain;
}
