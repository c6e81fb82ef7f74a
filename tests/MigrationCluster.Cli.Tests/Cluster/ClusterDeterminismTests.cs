using System.Text.Json;
using System.Text.Json.Nodes;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary>
/// Simulated time does not depend on where the grains run: a cluster of three silo processes gives,
/// seed by seed, the documents an embedded one-silo cluster gives, and the same ones again.
/// </summary>
public sealed class ClusterDeterminismTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-clusterdet-" + Guid.NewGuid().ToString("N"));

    public ClusterDeterminismTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Ten_seeds_on_a_three_process_cluster_give_the_embedded_one_silo_documents_minus_host_twice()
    {
        string[] run = ["run", "--nodes", "3", "--address-spaces", "3", "--pages", "64", "--accesses", "40", "--seeds", "1..10"];
        var embedded = Path.Combine(_directory, "embedded.json");
        var embeddedRun = ClusterCliProcess.RunAsync([.. run, "--json", embedded]);
        await using (var cluster = await LocalCluster.StartAsync(3))
        {
            Assert.Equal(3, (await cluster.StatusAsync()).Select(s => s.ProcessId).Distinct().Count());
            foreach (var name in new[] { "first.json", "again.json" })
            {
                var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync([.. run, "--cluster", cluster.StateDir, "--json", Path.Combine(_directory, name)]);
                Assert.True(exitCode == 0, stderr);
            }
        }
        var (embeddedExit, _, embeddedStderr) = await embeddedRun;
        Assert.True(embeddedExit == 0, embeddedStderr);

        var first = Documents("first.json");
        Assert.Equal(10, first.Count);
        Assert.All(first, d => Assert.True(JsonNode.Parse(d)!["simulated"]!["migration_ns"]!.GetValue<long>() > 0, d));
        Assert.Equal(first, Documents("again.json"));
        Assert.Equal(first, Documents("embedded.json"));
    }

    /// <summary>Each seed's document minus its <c>host</c> object, as text.</summary>
    private List<string> Documents(string name)
    {
        var documents = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, name)))!.AsArray();
        return [.. documents.Select(d =>
        {
            var document = d!.AsObject().DeepClone().AsObject();
            Assert.True(document.Remove("host"), "the document has a host object");
            return document.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        })];
    }
}
