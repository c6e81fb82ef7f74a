namespace MigrationCluster.Runtime.GrainDirectory;

/// <summary>The first byte of a directory request body (after the grain id comes the silo text).</summary>
internal enum DirectoryOperation : byte
{
    /// <summary>Where is the grain? Place it (for the requesting silo) if nowhere.</summary>
    LookupOrPlace = 1,
    /// <summary>The grain is active on this silo (handoff after a ring change, or re-registration).</summary>
    Register = 2,
    /// <summary>The activation on this silo is gone.</summary>
    Unregister = 3,
}
