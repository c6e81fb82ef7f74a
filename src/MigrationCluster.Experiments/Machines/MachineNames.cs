using MigrationCluster.Hosting;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Experiments.Machines;

/// <summary>The command line's names for the kernel's migration protocols.</summary>
public static class MachineNames
{
    public const string PerPage = "per-page";
    public const string Batched = "batched";

    public static string Of(MigrationProtocolKind protocol) => protocol == MigrationProtocolKind.Batched ? Batched : PerPage;

    /// <summary><c>--protocol per-page,batched</c> (experiment): each named once, in the order given.</summary>
    public static IReadOnlyList<MigrationProtocolKind> ParseProtocols(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var protocols = text.Split(',', StringSplitOptions.TrimEntries).Select(ParseProtocol).ToArray();
        return protocols.Distinct().Count() == protocols.Length ? protocols : throw new UsageException($"--protocol '{text}' names a protocol twice");
    }

    /// <summary><c>--protocol per-page|batched</c>; anything else is bad input.</summary>
    public static MigrationProtocolKind ParseProtocol(string text) => text?.Trim().ToLowerInvariant() switch
    {
        PerPage => MigrationProtocolKind.PerPage,
        Batched => MigrationProtocolKind.Batched,
        _ => throw new UsageException($"--protocol must be {PerPage} or {Batched} (was '{text}')"),
    };
}
