using MigrationCluster.Silo.Hosting;

namespace MigrationCluster.Silo.Tests.Hosting;

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
    public void Bad_settings_exit_with_code_2_before_anything_starts(string option, string value)
    {
        Assert.Equal(2, SiloHost.Run(["--state-dir", _directory, option, value]));
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Without_a_state_dir_or_key_the_silo_refuses_to_start()
    {
        Assert.Equal(2, SiloHost.Run([]));
    }

    [Fact]
    public void Settings_come_from_switches_and_the_logged_form_redacts_the_key()
    {
        var options = new SiloProcessOptions { ClusterKey = "c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3OA==", StateDir = _directory, SiloName = "s1" };
        options.Validate();
        var text = options.ToString();
        Assert.Contains("ClusterKey=<redacted>", text);
        Assert.DoesNotContain(options.ClusterKey, text);
        Assert.Equal("Silo:StateDir", SiloHost.SwitchMappings["--state-dir"]);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ToMembershipOptions().ProbeTimeout);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void State_directory_generates_the_key_once_and_only_its_owner_can_read_it()
    {
        var state = new LocalClusterState(_directory);
        state.EnsureCreated();
        var key = state.ReadKey();
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        state.EnsureCreated();
        Assert.Equal(key, state.ReadKey());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state.KeyFile));
        Assert.True(Directory.Exists(state.SilosDirectory));
    }
}
