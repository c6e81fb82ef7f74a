using System.CommandLine;
using System.CommandLine.Parsing;
using MigrationCluster.Hosting.Admission;

namespace MigrationCluster.Cli.Commands;

/// <summary><c>--max-memory SIZE</c>: the limit a job's estimated memory is admitted against (see <see cref="MemoryAdmission"/>).</summary>
public static class MaxMemoryOption
{
    public static Option<long?> Create() => new("--max-memory")
    {
        Description = "Refuse the job if its memory, estimated from its shape before anything is allocated, is above this (e.g. 4G, 512M; default: 90% of the memory available now).",
        HelpName = "SIZE",
        CustomParser = Parse,
    };

    /// <summary>The limit asked for, or the default one.</summary>
    public static long LimitOf(ParseResult parseResult, Option<long?> option)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return parseResult.GetValue(option) ?? MemoryAdmission.DefaultLimit();
    }

    private static long? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (MemoryAdmission.TryParseSize(text, out var bytes))
        {
            return bytes;
        }
        result.AddError($"--max-memory must be a size such as 4G, 512M or 1073741824 (was '{text}')");
        return null;
    }
}
