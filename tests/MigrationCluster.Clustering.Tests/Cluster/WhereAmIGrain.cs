using Orleans.Runtime;

namespace MigrationCluster.Clustering.Tests;

public sealed class WhereAmIGrain(ILocalSiloDetails silo) : Grain, IWhereAmIGrain
{
    public Task<string> SiloAddress() => Task.FromResult(silo.SiloAddress.ToParsableString());
}
