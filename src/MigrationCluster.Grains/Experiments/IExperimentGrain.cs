
namespace MigrationCluster.Grains.Experiments;

/// <summary>Sets up an experiment on the node and address-space grains, runs it, and checks the result.</summary>
[Alias("mc.IExperimentGrain")]
public interface IExperimentGrain : IGrainWithStringKey
{
    [ResponseTimeout("00:10:00")]
    [Alias("Run")]
    Task<ExperimentResult> Run(ExperimentSpec spec);

    /// <summary>
    /// The client that asked for the running experiment still waits for it (within the spec's
    /// <see cref="ExperimentSpec.ClientLease"/>). False when no experiment runs.
    /// </summary>
    [AlwaysInterleave]
    [Alias("Renew")]
    Task<bool> Renew();
}
