namespace MigrationCluster.Cli.Bench;

/// <summary>One shape of the runtime benchmark: the floor and grain calls without and with tracing.</summary>
public sealed record ShapeResult(string Name, CaseResult Floor, CaseResult Grain, CaseResult TracedGrain)
{
    /// <summary>Grain calls per second as a fraction of the floor's, tracing off.</summary>
    public double Ratio => Floor.CallsPerSecond > 0 ? Grain.CallsPerSecond / Floor.CallsPerSecond : 0;

    /// <summary>Grain calls per second as a fraction of the floor's, with always-on tracing.</summary>
    public double TracedRatio => Floor.CallsPerSecond > 0 ? TracedGrain.CallsPerSecond / Floor.CallsPerSecond : 0;
}
