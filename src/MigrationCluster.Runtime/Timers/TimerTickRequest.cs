using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Timers;

/// <summary>One tick of a grain timer, scheduled on the activation like a request.</summary>
internal sealed class TimerTickRequest(GrainTimer timer) : Request<VoidResult>
{
    private static readonly GrainMethodDescription Interleaving = new(typeof(IGrainTimer), "Tick", -1, InvokeMethodOptions.AlwaysInterleave, null, [], null);
    private static readonly GrainMethodDescription Exclusive = new(typeof(IGrainTimer), "Tick", -1, InvokeMethodOptions.None, null, [], null);

    public GrainTimer Timer { get; } = timer;

    public bool KeepAlive => Timer.KeepAlive;

    public override GrainMethodDescription Method => Timer.Interleave ? Interleaving : Exclusive;

    protected override ValueTask<VoidResult> InvokeCore(object grain) => Timer.IsDisposed ? default : AwaitVoid(Timer.InvokeCallback());

    public override void DeepCopyArguments()
    {
    }

    public override void SerializeArguments(WireWriter writer) => throw new NotSupportedException("Timer ticks never leave their silo.");

    public override void DeserializeArguments(WireReader reader) => throw new NotSupportedException("Timer ticks never leave their silo.");
}
