using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Runtime.Tests.Cluster;

internal static class ClusterTestSetup
{
    /// <summary>A bound on waits so that a broken test fails instead of hanging; never a performance claim.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static TestClusterOptions Options(int silos = 3, Action<SiloBuilder>? configure = null)
    {
        var options = new TestClusterOptions
        {
            InitialSilosCount = silos,
            ConfigureSilo = builder =>
            {
                builder.Services.AddSingleton(new SiloTag());
                builder.AddMemoryGrainStorage();
                configure?.Invoke(builder);
            },
        };
        options.GrainAssemblies.Add(typeof(ClusterTestSetup).Assembly);
        return options;
    }

    public static string TagOf(Silo silo) => silo.Services.GetRequiredService<SiloTag>().Id;

    public static Silo SiloWithTag(TestCluster cluster, string tag) => cluster.Silos.Single(s => TagOf(s) == tag);

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <see cref="Patience"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {patience ?? Patience}: {what}");
            }
            await Task.Delay(25);
        }
    }

    public static async Task<SiloStatus> StatusInTableAsync(IMembershipTable table, SiloAddress silo) =>
        (await table.ReadAll()).TryGet(silo)?.Entry.Status ?? SiloStatus.None;
}
