namespace MigrationCluster.Cli.Tests;

public sealed class CommandHelpTests
{
    [Theory]
    [InlineData("topology", "show", "--help", "--json")]
    [InlineData("trace", "show", "--help", "--trace-id")]
    [InlineData("scenario", "--help", "--json")]
    [InlineData("bench", "model", "--help", "--large-model-pages")]
    public async Task Help_exits_0_and_lists_the_options(params string[] argsThenOption)
    {
        var result = await CliProcess.RunAsync(argsThenOption[..^1]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(argsThenOption[^1], result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Root_help_lists_the_new_commands()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "topology", "trace", "scenario" })
        {
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("topology")]
    [InlineData("trace")]
    [InlineData("topology", "show")]
    [InlineData("scenario")]
    public async Task Missing_subcommand_or_file_exits_2_with_one_line(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("migration-cluster: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
    }
}
