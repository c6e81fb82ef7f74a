using System.Diagnostics;

namespace MigrationCluster.Cli.Tests;

/// <summary>
/// The command as a .NET tool, as the README installs it: <c>dotnet pack</c> of the built command
/// (the libraries it references go inside), <c>dotnet tool install --tool-path</c> from that
/// directory, and the installed <c>migration-cluster</c> answers <c>--help</c>.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_command_packs_as_a_tool_that_installs_and_runs()
    {
        var packages = _directory.File("nupkg");
        var tools = _directory.File("tools");
        // The configuration these tests were built in, so the pack reuses that build.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var project = Path.Combine(RepositoryPaths.Root, "src", "MigrationCluster.Cli", "MigrationCluster.Cli.csproj");

        var pack = await RunAsync("dotnet", "pack", project, "-c", configuration, "--no-build", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.Output);
        var package = Assert.Single(Directory.GetFiles(packages, "*.nupkg"));
        Assert.StartsWith("MigrationCluster.Cli.", Path.GetFileName(package), StringComparison.Ordinal);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            // A tool package, with the libraries the command is made of.
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
            foreach (var library in new[] { "migration-cluster", "MigrationCluster.Scenarios", "MigrationCluster.Experiments", "MigrationCluster.Dashboard", "MigrationCluster.Hosting", "MigrationCluster.Grains", "MigrationCluster.Memory" })
            {
                Assert.Contains($"tools/net10.0/any/{library}.dll", entries);
            }
        }

        var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "MigrationCluster.Cli");
        Assert.True(install.ExitCode == 0, install.Output);
        var help = await RunAsync(Path.Combine(tools, "migration-cluster"), "--help");
        Assert.True(help.ExitCode == 0, help.Output);
        Assert.Contains("Usage:\n  migration-cluster [command] [options]", help.Output, StringComparison.Ordinal);
        foreach (var command in new[] { "run", "experiment", "bench", "topology", "trace", "scenario <FILE>", "cluster", "dashboard" })
        {
            Assert.Contains($"\n  {command} ", help.Output, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // No first-run banner or telemetry notice in the output the test reads.
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"{program} {string.Join(' ', args)}: exit {process.ExitCode}\n{await stdout}\n{await stderr}");
    }
}
