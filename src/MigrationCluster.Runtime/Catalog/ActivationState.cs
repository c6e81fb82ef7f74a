namespace MigrationCluster.Runtime.Catalog;

internal enum ActivationState
{
    /// <summary>Created; the grain instance is being built and its state read.</summary>
    Activating,
    /// <summary>Serving requests.</summary>
    Valid,
    /// <summary><c>OnDeactivateAsync</c> is running; new requests are held for the next activation.</summary>
    Deactivating,
    /// <summary>Gone from the catalog; nothing is delivered to it any more.</summary>
    Invalid,
}
