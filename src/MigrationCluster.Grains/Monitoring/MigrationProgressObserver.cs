using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// Passes everything on to <paramref name="inner"/> (the tracer) and counts each page's outcome:
/// migrated, failed, and the nodes a migrated page left and reached. When a batch is done (the next
/// batch or pass begins, or the pass ends) and something changed, it calls
/// <paramref name="batchDone"/> once: the coordinator's progress report, one per batch of up to
/// 512 pages, never one per page.
/// </summary>
internal sealed class MigrationProgressObserver(IMigrationObserver inner, Action<MigrationProgressObserver> batchDone) : IMigrationObserver
{
    // Pages in and out per node id, counted for every migrated page: arrays indexed by node, not
    // a dictionary, since this runs once per page on the coordinator's hot path.
    private long[] _in = [];
    private long[] _out = [];
    private bool _changed;

    /// <summary>Pages migrated so far.</summary>
    public int Succeeded { get; private set; }

    /// <summary>Pages that failed for good so far (-EAGAIN is retried, unless the last pass gives up: the result has the final count).</summary>
    public int Failed { get; private set; }

    public int Passes { get; private set; }

    /// <summary>The nodes pages left or reached so far, in node order.</summary>
    public IReadOnlyList<NodeMigrationCount> Nodes
    {
        get
        {
            var nodes = new List<NodeMigrationCount>();
            for (var node = 0; node < _in.Length; node++)
            {
                if (_in[node] != 0 || _out[node] != 0)
                {
                    nodes.Add(new NodeMigrationCount(node, _in[node], _out[node]));
                }
            }
            return nodes;
        }
    }

    public void MigrationStarted(MigrateMode mode, MigrateReason reason, int pages) => inner.MigrationStarted(mode, reason, pages);

    public void MigrationEnded(MigrateResult result) => inner.MigrationEnded(result);

    public void PassStarted(int pass, int pages)
    {
        Passes = pass + 1;
        inner.PassStarted(pass, pages);
    }

    public void PassEnded(int pass, int retry)
    {
        inner.PassEnded(pass, retry);
        FlushIfChanged();
    }

    public void PageStarted(int pass, in MigrationPage page) => inner.PageStarted(pass, page);

    public void PageEnded(int pass, in MigrationPage page, int errno)
    {
        inner.PageEnded(pass, page, errno);
        if (errno == 0)
        {
            Succeeded++;
            var target = page.New.IsNone ? page.TargetNode : page.New.Node;
            EnsureNode(Math.Max(page.Old.Node, target));
            _out[page.Old.Node]++;
            _in[target]++;
            _changed = true;
        }
        else if (errno != -Errno.EAGAIN)
        {
            Failed++;
            _changed = true;
        }
    }

    public void StepStarted(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        if (step == MigrationStep.LockPage)
        {
            // A new batch begins: the one before it is done.
            FlushIfChanged();
        }
        inner.StepStarted(step, batch);
    }

    public void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch) => inner.StepEnded(step, batch);

    public void SetMigrationPte(PageRef page, PteRef pte) => inner.SetMigrationPte(page, pte);

    public void RemoveMigrationPte(PageRef page, PteRef pte) => inner.RemoveMigrationPte(page, pte);

    public void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters) => inner.WaitersWoken(waiters);

    private void EnsureNode(int node)
    {
        if (node >= _in.Length)
        {
            var length = Math.Max(node + 1, _in.Length * 2);
            Array.Resize(ref _in, length);
            Array.Resize(ref _out, length);
        }
    }

    private void FlushIfChanged()
    {
        if (_changed)
        {
            _changed = false;
            batchDone(this);
        }
    }
}
