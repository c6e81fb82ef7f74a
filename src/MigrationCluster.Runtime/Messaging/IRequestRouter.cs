using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>Takes a stamped request to wherever its target lives: this silo's catalog, or another silo.</summary>
internal interface IRequestRouter
{
    /// <param name="via">The reference the call was made through, if any (see <see cref="GrainReference.CachedActivation"/>).</param>
    void Route(Request request, GrainReference? via);
}
