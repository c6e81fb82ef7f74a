using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>Checks the failure-detection part of Orleans' <see cref="ClusterMembershipOptions"/> (<c>Orleans:Membership:*</c>) at start.</summary>
public sealed class FailureDetectionValidator : IValidateOptions<ClusterMembershipOptions>
{
    public const string SectionName = "Orleans:Membership";

    public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        foreach (var (setting, value) in new[]
        {
            (nameof(options.ProbeTimeout), options.ProbeTimeout),
            (nameof(options.IAmAliveTablePublishTimeout), options.IAmAliveTablePublishTimeout),
            (nameof(options.TableRefreshTimeout), options.TableRefreshTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{SectionName}:{setting} (Silo:{setting}) must be positive (was {value}).");
            }
        }
        foreach (var (setting, value) in new[]
        {
            (nameof(options.NumMissedProbesLimit), options.NumMissedProbesLimit),
            (nameof(options.NumVotesForDeathDeclaration), options.NumVotesForDeathDeclaration),
        })
        {
            if (value < 1)
            {
                failures.Add($"{SectionName}:{setting} (Silo:{setting}) must be at least 1 (was {value}).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
