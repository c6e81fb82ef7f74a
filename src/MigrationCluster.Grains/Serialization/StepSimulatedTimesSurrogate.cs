using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Serialization;

/// <summary>A step's simulated batch durations across a grain boundary (the memory model's type has no Orleans attributes).</summary>
[GenerateSerializer]
[Alias("mc.StepSimulatedTimes")]
public struct StepSimulatedTimesSurrogate
{
    [Id(0)] public int Step;
    [Id(1)] public string Name;
    [Id(2)] public long[] BatchNs;
}

[RegisterConverter]
public sealed class StepSimulatedTimesConverter : IConverter<StepSimulatedTimes, StepSimulatedTimesSurrogate>
{
    public StepSimulatedTimes ConvertFromSurrogate(in StepSimulatedTimesSurrogate surrogate) => new(surrogate.Step, surrogate.Name, surrogate.BatchNs);

    public StepSimulatedTimesSurrogate ConvertToSurrogate(in StepSimulatedTimes value) => new() { Step = value.Step, Name = value.Name, BatchNs = value.BatchNs };
}
