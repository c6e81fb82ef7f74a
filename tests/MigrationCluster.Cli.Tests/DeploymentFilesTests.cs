using System.Reflection;
using System.Text.RegularExpressions;
using MigrationCluster.Hosting.SiloProcess;
using YamlDotNet.RepresentationModel;

namespace MigrationCluster.Cli.Tests;

/// <summary>
/// deploy/ cannot run here (no container engine, no Kubernetes), so its files are checked against
/// the code: they parse, the image starts the silo the build makes, and every silo setting they
/// name is one the silo has.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static string Deploy => Path.Combine(RepositoryPaths.Root, "deploy");

    public static TheoryData<string> YamlFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in YamlPaths())
        {
            data.Add(file);
        }
        return data;
    }

    private static string[] YamlPaths() =>
        [.. Directory.EnumerateFiles(Deploy, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(RepositoryPaths.Root, f))];

    [Fact]
    public void There_are_a_compose_file_and_kubernetes_manifests_for_the_silos()
    {
        var files = YamlPaths();
        Assert.Contains(Path.Combine("deploy", "compose.yaml"), files);
        Assert.Contains(files, f => f.StartsWith(Path.Combine("deploy", "kubernetes"), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Every_silo_setting_a_deployment_file_names_is_one_the_silo_has(string relativePath)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryPaths.Root, relativePath)))
        {
            stream.Load(reader);
        }
        Assert.NotEmpty(stream.Documents);

        var settable = typeof(SiloProcessOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name).Concat(SiloSettingAliases.Names).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var named = stream.Documents.SelectMany(d => Scalars(d.RootNode))
            .SelectMany(s => SiloSetting().Matches(s).Select(m => m.Groups[1].Value))
            .ToList();
        foreach (var setting in named)
        {
            Assert.True(settable.Contains(setting), $"{relativePath} names Silo:{setting}, which is neither a SiloProcessOptions setting nor an alias of an Orleans key");
        }
        if (relativePath.Contains("compose", StringComparison.Ordinal) || relativePath.Contains("silo", StringComparison.Ordinal))
        {
            Assert.Contains("MembershipProvider", named);
            Assert.Contains("TlsCertificateFile", named);
        }
    }

    [Fact]
    public void The_image_runs_the_silo_executable_the_build_publishes()
    {
        var dockerfile = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        var project = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "MigrationCluster.Silo", "MigrationCluster.Silo.csproj"));
        var assembly = AssemblyName().Match(project).Groups[1].Value;
        Assert.Equal("migration-cluster-silo", assembly);
        Assert.Contains("dotnet publish src/MigrationCluster.Silo -c Release -o /app/silo", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"/app/silo/{assembly}.dll\"]", dockerfile, StringComparison.Ordinal);
        // The programs reference ASP.NET Core (Orleans' dashboard, the machine's page): the plain runtime image cannot start them.
        var runtimeConfig = Path.Combine(AppContext.BaseDirectory, "migration-cluster.runtimeconfig.json");
        Assert.Contains("Microsoft.AspNetCore.App", File.ReadAllText(runtimeConfig), StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "init-db")]
    [InlineData("cluster", "certificate")]
    public async Task The_commands_the_compose_file_runs_exist(string group, string command)
    {
        Assert.Contains($"migration-cluster.dll {group} {command}", File.ReadAllText(Path.Combine(Deploy, "compose.yaml")), StringComparison.Ordinal);
        var result = await CliProcess.RunAsync(group, command, "--help");
        Assert.True(result.ExitCode == 0, result.Stderr);
        // The command's own help, not its group's (which a mistyped name would show).
        Assert.Contains($"migration-cluster {group} {command} [options]", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>Every key and value of a YAML tree.</summary>
    private static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value is { } value ? [value] : [],
        YamlSequenceNode sequence => sequence.Children.SelectMany(Scalars),
        YamlMappingNode mapping => mapping.Children.SelectMany(pair => Scalars(pair.Key).Concat(Scalars(pair.Value))),
        _ => [],
    };

    /// <summary>A silo setting as an environment variable (<c>MIGRATIONCLUSTER_Silo__Name</c>) or a switch (<c>--Silo:Name</c>).</summary>
    [GeneratedRegex(@"(?:MIGRATIONCLUSTER_Silo__|--Silo:)(\w+)")]
    private static partial Regex SiloSetting();

    [GeneratedRegex(@"<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyName();
}
