namespace MigrationCluster.Runtime.Core;

public static class GrainExtensions
{
    /// <summary>A reference to this grain, to pass to other grains (never pass <c>this</c>).</summary>
    public static TGrainInterface AsReference<TGrainInterface>(this Grain grain)
        where TGrainInterface : IGrain
    {
        ArgumentNullException.ThrowIfNull(grain);
        return grain.Activation.Services.GrainFactory.GetGrain<TGrainInterface>(grain.GrainId);
    }

    /// <summary>The grain id of a reference (or of a grain).</summary>
    public static GrainId GetGrainId(this IAddressable grain) => grain switch
    {
        Invocation.GrainReference reference => reference.GrainId,
        Grain instance => instance.GrainId,
        _ => throw new ArgumentException($"{grain?.GetType().Name ?? "null"} is neither a grain nor a grain reference.", nameof(grain)),
    };
}
