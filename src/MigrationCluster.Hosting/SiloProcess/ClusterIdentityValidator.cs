using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>Checks Orleans' <see cref="ClusterOptions"/> (<c>Orleans:ClusterId</c>, <c>Orleans:ServiceId</c>) at start.</summary>
public sealed class ClusterIdentityValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add("Orleans:ClusterId (Silo:ClusterId, --cluster-id) must not be empty.");
        }
        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add("Orleans:ServiceId (Silo:ServiceId) must not be empty.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
