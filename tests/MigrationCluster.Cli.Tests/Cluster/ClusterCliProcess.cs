using System.Diagnostics;
using MigrationCluster.Cli.Commands;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary>Runs the built CLI (<c>dotnet migration-cluster.dll ...</c>) as a child process.</summary>
internal static class ClusterCliProcess
{
    /// <summary>
    /// Failure detection for tests: a killed silo is suspected after 2 missed 1-second probes and
    /// declared dead on one vote (the silos inherit these from <c>cluster start</c>'s environment).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FastFailureDetection = new Dictionary<string, string>
    {
        ["MIGRATIONCLUSTER_Silo__ProbeTimeout"] = "00:00:01",
        ["MIGRATIONCLUSTER_Silo__NumMissedProbesLimit"] = "2",
        ["MIGRATIONCLUSTER_Silo__NumVotesForDeathDeclaration"] = "1",
        ["MIGRATIONCLUSTER_Silo__IAmAliveTablePublishTimeout"] = "00:00:02",
        ["MIGRATIONCLUSTER_Silo__TableRefreshTimeout"] = "00:00:02",
    };

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(null, TimeSpan.FromMinutes(2), args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(ClusterCommand).Assembly.Location);
        foreach (var argument in args)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'migration-cluster {string.Join(' ', args)}' did not end within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
