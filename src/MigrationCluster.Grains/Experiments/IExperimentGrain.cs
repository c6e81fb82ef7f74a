
namespace MigrationCluster.Grains.Experiments;

/// <summary>Sets up an experiment on the node and address-space grains, runs it, and checks the result.</summary>
[Alias("mc.IExperimentGrain")]
public interface IExperimentGrain : IGrainWithStringKey
{
    [ResponseTimeout("00:10:00")]
    [Alias("Run")]
    Task<ExperimentResult> Run(ExperimentSpec spec);
}
