using System.Diagnostics;

namespace MigrationCluster.Experiments;

/// <summary>The git commit the command was built from (asked of git where the build output lives), or "unknown".</summary>
public static class SourceRevision
{
    public static string Commit() => Git("rev-parse HEAD") is { Length: 40 } commit ? commit : "unknown";

    /// <summary>Whether the work tree had changes not committed (null if git cannot tell).</summary>
    public static bool? Dirty() => Git("status --porcelain --untracked-files=no") is { } status ? status.Length > 0 : null;

    private static string? Git(string arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git", $"-C \"{AppContext.BaseDirectory}\" {arguments}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            _ = errors.Result;
            if (!process.WaitForExit(10_000) || process.ExitCode != 0)
            {
                return null;
            }
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
