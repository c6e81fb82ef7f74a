namespace MigrationCluster.Grains.Diagnostics;

/// <summary>The cheapest grain call there is: the floor a benchmark compares the simulation's calls against.</summary>
[Alias("mc.IPingGrain")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("Ping")]
    Task<int> Ping(int value);
}
