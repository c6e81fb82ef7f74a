using MigrationCluster.Hosting;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Experiments.Machines;

/// <summary>The command line's names for the kernel's migration protocols.</summary>
public static class MachineNames
{
    public const string PerPage = "per-page";
    public const string Batched = "batched";

    public static string Of(MigrationProtocolKind protocol) => protocol == MigrationProtocolKind.Batched ? Batched : PerPage;

    /// <summary><c>--protocol per-page|batched</c>; anything else is bad input.</summary>
    public static MigrationProtocolKind ParseProtocol(string text) => text?.Trim().ToLowerInvariant() switch
    {
        PerPage => MigrationProtocolKind.PerPage,
        Batched => MigrationProtocolKind.Batched,
        _ => throw new UsageException($"--protocol must be {PerPage} or {Batched} (was '{text}')"),
    };
}
