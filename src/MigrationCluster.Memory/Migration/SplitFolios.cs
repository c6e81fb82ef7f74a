using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The split list of one migrate_pages() call: the large folios split after -ENOMEM, their base
/// pages (migrated after the batches, as migrate_pages() does with split_folios), and what the
/// call counts for them: each split folio one failure (nr_failed, thp_migration_fail for a THP)
/// and one split (thp_migration_split for a THP); each base page migrated or failed.
/// </summary>
internal sealed class SplitFolios(int pmdOrder)
{
    private readonly List<int> _candidates = [];
    private readonly List<MigrationRequest> _pages = [];
    private readonly List<int> _pageOrigin = [];
    private readonly HashSet<int> _split = [];

    public IReadOnlyList<MigrationRequest> Pages => _pages;

    /// <summary>Folios split (each counted once as a failure by the return value).</summary>
    public int Count => _split.Count;

    public long ThpSplit { get; private set; }

    public long ThpFailed { get; private set; }

    public long SucceededPages { get; private set; }

    public bool WasSplit(int request) => _split.Contains(request);

    public void Candidate(int request) => _candidates.Add(request);

    public int[] TakeCandidates()
    {
        int[] taken = [.. _candidates];
        _candidates.Clear();
        return taken;
    }

    /// <summary>Folio <paramref name="request"/> was split: its base pages join the list, bound where it was.</summary>
    public void Add(int request, MigrationRequest folio)
    {
        _split.Add(request);
        bool thp = folio.Order >= pmdOrder;
        ThpSplit += thp ? 1 : 0;
        ThpFailed += thp ? 1 : 0;
        for (int k = 0; k < folio.FolioPages; k++)
        {
            _pages.Add(new MigrationRequest(new PageRef(folio.Page.Node, folio.Page.Pfn + k), folio.TargetNode));
            _pageOrigin.Add(request);
        }
    }

    /// <summary>
    /// The base pages' outcomes give each split folio its entry: 0 and its first page's new
    /// frame when all its pages moved, else the first error among them.
    /// </summary>
    public void Finish(int[] pageErrno, PageRef[] pageNew, int[] errno, PageRef[] newPages)
    {
        for (int i = 0; i < _pages.Count; i++)
        {
            int q = _pageOrigin[i];
            bool first = i == 0 || _pageOrigin[i - 1] != q;
            if (first)
            {
                errno[q] = 0;
                newPages[q] = pageNew[i];
            }

            if (pageErrno[i] == 0)
            {
                SucceededPages++;
            }
            else if (errno[q] == 0)
            {
                errno[q] = pageErrno[i];
                newPages[q] = PageRef.None;
            }
        }
    }
}
