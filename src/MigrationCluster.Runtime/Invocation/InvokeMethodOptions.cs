namespace MigrationCluster.Runtime.Invocation;

/// <summary>What the interface method's attributes say about how a call may be scheduled.</summary>
[Flags]
public enum InvokeMethodOptions : byte
{
    None = 0,
    OneWay = 1,
    ReadOnly = 2,
    AlwaysInterleave = 4,
}
