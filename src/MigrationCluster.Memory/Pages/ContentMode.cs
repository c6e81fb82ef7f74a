namespace MigrationCluster.Memory.Pages;

/// <summary>How a node stores page contents.</summary>
public enum ContentMode
{
    /// <summary>One checksum-carrying word per page (<see cref="PageContents"/>): the default.</summary>
    Compact,

    /// <summary>The full 4 KiB per page as bytes, for tests that want real copies.</summary>
    Full,
}
