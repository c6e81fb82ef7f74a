namespace MigrationCluster.Runtime.MembershipService;

public sealed class InMemoryMembershipTableOptions
{
    public const string DefaultClusterId = "dev";

    public string ClusterId { get; set; } = DefaultClusterId;

    public void Validate() =>
        MembershipTableOptionsValidation.ValidateClusterId(ClusterId, nameof(InMemoryMembershipTableOptions));
}
