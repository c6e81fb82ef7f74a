namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>The kinds of mapping the model has.</summary>
public enum VmaKind
{
    /// <summary>MAP_PRIVATE|MAP_ANONYMOUS: pages belong to this process alone (anon_vma, no radix tree).</summary>
    AnonPrivate,

    /// <summary>MAP_SHARED|MAP_ANONYMOUS: shmem pages, in a radix tree, mappable by several processes.</summary>
    AnonShared,

    /// <summary>MAP_SHARED of a file: page-cache pages in the file's radix tree.</summary>
    File,

    /// <summary>
    /// MAP_PRIVATE of a file: reads map the page-cache page read-only; a write gives the task an
    /// anonymous copy of its own (do_cow_fault, or wp_page_copy once the page is mapped).
    /// </summary>
    FilePrivate,
}
