using MigrationCluster.Cli.Commands;

namespace MigrationCluster.Cli.Tests;

public sealed class CommandRunnerTests
{
    [Fact]
    public void A_failure_whose_message_carries_a_stack_trace_is_still_one_line_without_it()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            var message = "Response did not arrive on time after 637.8671ms\n   at Orleans.Runtime.Messaging.MessageCenter.Send(Message msg)\n   at Orleans.Runtime.X.Y()";
            Assert.Equal(ExitCodes.Failure, CommandRunner.Fail(ExitCodes.Failure, message));
        }
        finally
        {
            Console.SetError(previous);
        }
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("migration-cluster: Response did not arrive on time after 637.8671ms", line);
        Assert.DoesNotMatch(CliProcess.StackFrame, line);
    }
}
