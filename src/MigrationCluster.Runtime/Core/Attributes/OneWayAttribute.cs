namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The caller does not wait for the grain: the call completes as soon as the message is
/// handed to the runtime, and no response (nor exception) comes back.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OneWayAttribute : Attribute
{
}
