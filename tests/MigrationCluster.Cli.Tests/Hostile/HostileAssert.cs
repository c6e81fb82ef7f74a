namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>What every refusal of bad input looks like: exit 2, one line naming the problem, no stack trace, no type name.</summary>
internal static class HostileAssert
{
    public static string BadInput(CliResult result, string mentions)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.Stderr}");
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
        Assert.Contains(mentions, line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        return line;
    }
}
