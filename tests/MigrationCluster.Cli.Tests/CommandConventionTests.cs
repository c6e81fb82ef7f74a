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
    public async Task Bench_model_help_lists_its_options()
    {
        var result = await CliProcess.RunAsync("bench", "model", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--json", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--pages", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runtime")]
    [InlineData("transport")]
    public async Task The_retired_runtime_benchmarks_are_gone(string name)
    {
        var result = await CliProcess.RunAsync("bench", name, "--json", "out.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(name, Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-option")]
    [InlineData("bench", "model", "--json", "out.json", "--no-such-option")]
    [InlineData("bench", "model", "--json", "out.json", "--pages", "lots")]
    [InlineData("bench", "model", "--json", "out.json", "--pages", "0")]
    [InlineData("bench", "model")]
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
