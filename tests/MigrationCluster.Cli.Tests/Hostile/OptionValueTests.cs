using System.CommandLine;
using System.CommandLine.Help;
using MigrationCluster.Cli.Commands;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>Every typed option of every command says in a sentence what a garbage value should have been.</summary>
public sealed class OptionValueTests
{
    public static TheoryData<string[], string> TypedOptions()
    {
        var data = new TheoryData<string[], string>();
        void Walk(Command command, string[] path)
        {
            foreach (var option in command.Options)
            {
                var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
                // Strings, paths and switches take any token; their checks run in the command.
                if (option is not (HelpOption or VersionOption) && type != typeof(string) && type != typeof(bool) && type != typeof(FileInfo) && type != typeof(DirectoryInfo) && !type.IsArray)
                {
                    data.Add(path, option.Name);
                }
            }
            foreach (var subcommand in command.Subcommands)
            {
                Walk(subcommand, [.. path, subcommand.Name]);
            }
        }
        Walk(Program.CreateRootCommand(), []);
        return data;
    }

    [Theory]
    [MemberData(nameof(TypedOptions))]
    public void A_garbage_value_is_described_in_words(string[] command, string option)
    {
        var parse = Program.CreateRootCommand().Parse([.. command, option, "garbage%"]);

        var error = Assert.Single(parse.Errors, e => e.Message.Contains("garbage%", StringComparison.Ordinal));
        var message = CommandRunner.Describe(error);
        Assert.StartsWith(option + " ", message, StringComparison.Ordinal);
        Assert.Contains("'garbage%'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("`", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_has_typed_options_to_check() => Assert.True(TypedOptions().Count() > 20);

    [Theory]
    [InlineData("run", "--pages", "abc", "--pages must be a whole number up to 2,147,483,647 (was 'abc')")]
    [InlineData("run", "--write-fraction", "lots", "--write-fraction must be a number (was 'lots')")]
    [InlineData("bench", "migration", "--json", "x.json", "--warm-up", "soon", "--warm-up must be a number (was 'soon')")]
    public async Task The_command_exits_2_with_that_sentence(params string[] argsAndMessage)
    {
        var result = await CliProcess.RunAsync(argsAndMessage[..^1]);

        Assert.Equal("migration-cluster: " + argsAndMessage[^1], HostileAssert.BadInput(result, argsAndMessage[^2]));
    }
}
