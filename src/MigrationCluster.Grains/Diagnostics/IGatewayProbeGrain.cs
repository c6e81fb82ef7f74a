namespace MigrationCluster.Grains.Diagnostics;

/// <summary>
/// A call a client makes to learn that the cluster still answers it. A stateless worker is
/// activated on the silo that receives the call, so the answer comes from the gateway the
/// client reached and needs neither the membership table nor any other silo.
/// </summary>
[Alias("mc.IGatewayProbeGrain")]
public interface IGatewayProbeGrain : IGrainWithIntegerKey
{
    [Alias("Probe")]
    Task<int> Probe(int value);
}
