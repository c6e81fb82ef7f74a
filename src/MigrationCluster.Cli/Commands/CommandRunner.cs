using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Admission;
using MigrationCluster.Hosting.Io;

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
            return Fail(ExitCodes.BadInput, Describe(parseResult.Errors[0]));
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
        catch (UnusablePathException exception)
        {
            return Fail(ExitCodes.BadInput, exception.Message);
        }
        catch (AdmissionRefusedException exception)
        {
            return Fail(ExitCodes.BadInput, exception.Message);
        }
#pragma warning disable CA1031 // The CLI's last resort: any failure becomes one line and exit 1.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            // The sentence, not the exception's type: the user did nothing wrong in a type's name.
            return Fail(ExitCodes.Failure, FailureMessage.Of(exception));
        }
    }

    /// <summary>
    /// A parse error as a sentence: System.CommandLine says "Cannot parse argument 'abc' for option
    /// '--pace' as expected type 'System.Nullable`1[System.Double]'"; the user reads "--pace must be
    /// a number (was 'abc')".
    /// </summary>
    public static string Describe(ParseError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var cannotParse = CannotParse().Match(error.Message);
        if (!cannotParse.Success)
        {
            return error.Message;
        }
        var value = cannotParse.Groups["value"].Value;
        return error.SymbolResult switch
        {
            OptionResult { Option: var option } => $"{option.Name} must be {Expected(option.ValueType)} (was '{value}')",
            ArgumentResult { Argument: var argument } => $"{argument.Name} must be {Expected(argument.ValueType)} (was '{value}')",
            _ => $"'{value}' is not a valid value here",
        };
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words.</summary>
    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(int) => $"a whole number up to {int.MaxValue.ToString("N0", CultureInfo.InvariantCulture)}",
            _ when type == typeof(long) => "a whole number",
            _ when type == typeof(uint) || type == typeof(ushort) || type == typeof(ulong) => "a whole number, 0 or more",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
            _ => "a valid value",
        };
    }

    /// <summary>System.CommandLine's conversion failure, in English.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*?)'(?: for (?:option|command|argument) '.*?')? as expected type")]
    private static partial System.Text.RegularExpressions.Regex CannotParse();

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
