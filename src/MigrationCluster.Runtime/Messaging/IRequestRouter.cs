using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>Takes a stamped request to wherever its target lives: this silo's catalog, or another silo.</summary>
internal interface IRequestRouter
{
    void Route(Request request);
}
