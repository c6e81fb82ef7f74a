using MigrationCluster.Runtime.Invocation;

namespace MigrationCluster.Runtime.Messaging;

/// <summary>Every grain lives here: copy the arguments and hand the request to the catalog.</summary>
internal sealed class LocalRequestRouter(Catalog.Catalog catalog) : IRequestRouter
{
    public void Route(Request request, GrainReference? via)
    {
        request.DeepCopyArguments();
        catalog.Dispatch(request, via);
    }
}
