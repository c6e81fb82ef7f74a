using System.CommandLine;
using System.CommandLine.Help;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// Parses and invokes the command tree with the shared conventions: exit 2 and one line on
/// stderr for bad input (parse errors included), exit 1 and one line for a failed run, never a
/// stack trace.
/// </summary>
public static partial class CommandRunner
{
    public static int Run(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        RequireSubcommands(root);
        ParseResult parseResult;
        try
        {
            parseResult = root.Parse(args);
        }
        catch (InvalidOperationException exception)
        {
            // A value the parser could not convert, surfacing from a validator.
            return Fail(ExitCodes.BadInput, exception.Message);
        }
        // Help wins over errors (e.g. `bench --help` without a subcommand) and exits 0.
        if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
        {
            return Fail(ExitCodes.BadInput, parseResult.Errors[0].Message);
        }
        try
        {
            // Our own handler below keeps failures to one line instead of the default stack trace.
            return parseResult.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException exception)
        {
            return Fail(ExitCodes.BadInput, exception.Message);
        }
#pragma warning disable CA1031 // The CLI's last resort: any failure becomes one line and exit 1.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Fail(ExitCodes.Failure, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// A group command (`bench`) run without a subcommand says so itself; otherwise the parser
    /// would report "Required command was not provided" before the real error (an unknown option).
    /// </summary>
    private static void RequireSubcommands(Command command)
    {
        foreach (var subcommand in command.Subcommands)
        {
            RequireSubcommands(subcommand);
        }
        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            var names = string.Join(", ", command.Subcommands.Select(c => c.Name));
            command.SetAction(_ => Fail(ExitCodes.BadInput, $"'{command.Name}' needs a command ({names}); see --help."));
        }
    }

    /// <summary>Writes <paramref name="message"/> as one line on stderr and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(int exitCode, string message)
    {
        var oneLine = (message ?? string.Empty).ReplaceLineEndings(" ");
        // Some exceptions (Orleans' message rejections among them) carry a remote stack trace in
        // their message: the line ends where the first stack frame begins.
        var frame = StackFrame().Match(oneLine);
        oneLine = (frame.Success ? oneLine[..frame.Index] : oneLine).Trim();
        Console.Error.WriteLine($"migration-cluster: {oneLine}");
        return exitCode;
    }

    /// <summary>The start of a .NET stack frame ("at Namespace.Type.Method(").</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\s+at [\w.`<>\[\],]+\(")]
    private static partial System.Text.RegularExpressions.Regex StackFrame();
}
