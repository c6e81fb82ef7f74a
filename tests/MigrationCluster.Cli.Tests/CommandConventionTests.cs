namespace MigrationCluster.Cli.Tests;

public sealed class CommandConventionTests
{
    [Fact]
    public async Task Help_exits_0_and_lists_bench()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("bench", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Bench_runtime_help_lists_its_options()
    {
        var result = await CliProcess.RunAsync("bench", "runtime", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--json", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--duration", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--rounds", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("bench", "runtime", "--json", "out.json", "--no-such-option")]
    [InlineData("bench", "runtime", "--json", "out.json", "--duration", "soon")]
    [InlineData("bench", "runtime", "--json", "out.json", "--duration", "0")]
    [InlineData("bench", "runtime", "--json", "out.json", "--rounds", "0")]
    [InlineData("bench", "runtime", "--json", "out.json", "--rounds", "2.5")]
    [InlineData("bench", "runtime", "--json", "out.json", "--rounds", "61")]
    [InlineData("bench", "runtime")]
    [InlineData("bench")]
    public async Task Bad_input_exits_2_with_one_line_and_no_stack_trace(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("migration-cluster: ", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_option_message_names_the_option()
    {
        var result = await CliProcess.RunAsync("--no-such-option");

        Assert.Contains("--no-such-option", result.Stderr, StringComparison.Ordinal);
    }
}
