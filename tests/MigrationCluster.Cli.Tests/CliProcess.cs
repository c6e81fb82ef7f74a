using System.Diagnostics;

namespace MigrationCluster.Cli.Tests;

/// <summary>Runs the built <c>migration-cluster.dll</c> as a separate process, as a user would.</summary>
internal static class CliProcess
{
    /// <summary>What a line of a .NET stack trace looks like: "at Namespace.Type.Method(".</summary>
    public const string StackFrame = @"\bat [\w.`<>\[\],]+\(";

    /// <summary>The project reference copies the command's assembly next to the tests'.</summary>
    public static string CommandPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "migration-cluster.dll");
            Assert.True(File.Exists(path), $"The built command is missing: {path}");
            return path;
        }
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs the command with <paramref name="environment"/> added to this process's variables.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(CommandPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
