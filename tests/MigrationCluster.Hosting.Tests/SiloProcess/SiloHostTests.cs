using MigrationCluster.Hosting.SiloProcess;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.Tests.SiloProcess;

public sealed class SiloHostTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-silohost-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--Silo:MembershipProvider", "mysql")]
    [InlineData("--Silo:ProbeTimeout", "soon")]
    [InlineData("--Silo:NumVotesForDeathDeclaration", "0")]
    [InlineData("--Silo:Traces", "carrier-pigeon")]
    [InlineData("--Silo:ListenAddress", "localhost.example")]
    [InlineData("--port", "70000")]
    public void Bad_settings_exit_with_code_2_before_anything_starts(string option, string value)
    {
        Assert.Equal(2, SiloHost.Run(["--state-dir", _directory, option, value]));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Without_a_state_dir_or_membership_file_the_silo_refuses_to_start()
    {
        Assert.Equal(2, SiloHost.Run([]));
    }

    [Fact]
    public void Failure_detection_keeps_orleans_production_defaults_unless_set()
    {
        var options = new SiloProcessOptions { StateDir = _directory, SiloName = "s1" };
        options.Validate();
        var membership = new ClusterMembershipOptions();
        options.ApplyTo(membership);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.ProbeTimeout);
        Assert.Equal(3, membership.NumMissedProbesLimit);
        Assert.Equal(2, membership.NumVotesForDeathDeclaration);
        Assert.Equal(Path.Combine(Path.GetFullPath(_directory), "membership.db"), options.MembershipFile);
        Assert.Equal("Silo:StateDir", SiloHost.SwitchMappings["--state-dir"]);
        Assert.Contains("Membership=sqlite:", options.ToString(), StringComparison.Ordinal);
    }
}
