using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Memory.Tests.Properties;

/// <summary>
/// Interprets a sequence of numbers as faults, reads, writes, pins, truncations and migrations
/// on a small system, running accessors between the protocol's steps and the invariant checker
/// after every step. A ghost map holds what every logical page should contain.
/// </summary>
internal sealed class RandomWorld : MigrationObserver
{
    private readonly MemorySystem _s = Harness.System(nodes: 3, frames: 24);
    private readonly NumaSyscalls _calls;
    private readonly AddressSpaceMemory _a;
    private readonly AddressSpaceMemory _b;
    private readonly int _file;

    // i_size of the file in pages once a truncate set it: accesses at or past it are SIGBUS (pins -EFAULT).
    private long _fileSize = long.MaxValue;
    private readonly List<(int Space, long VirtualPage)> _targets = [];
    private readonly Dictionary<LogicalPage, ulong> _ghost = [];
    private readonly Dictionary<long, int> _waiting = [];
    private readonly List<int> _parked = [];
    private readonly List<(PageRef Page, bool Dma)> _pins = [];
    private readonly Queue<int> _interleaved = new();
    private readonly HashSet<PageRef> _migrating = [];
    private ulong _nextValue = 1;
    private bool _inMigration;

    public RandomWorld()
    {
        _a = _s.CreateAddressSpace(0, privileged: true);
        _b = _s.CreateAddressSpace(1);
        Vma anon = _s.MmapAnon(_a.Id, 6);
        Vma shm = _s.MmapAnon(_a.Id, 4, shared: true);
        Vma shmB = _s.MmapShared(_b.Id, shm.Mapping, 0, 4);
        _file = _s.CreateFile(_b.Id);
        Vma fileA = _s.MmapShared(_a.Id, _file, 0, 4);
        Vma fileB = _s.MmapShared(_b.Id, _file, 0, 4);
        foreach (var (space, vma) in new[] { (_a, anon), (_a, shm), (_b, shmB), (_a, fileA), (_b, fileB) })
        {
            for (long v = vma.Start; v < vma.End; v++)
            {
                _targets.Add((space.Id, v));
            }
        }

        _calls = new NumaSyscalls(_s, this);
    }

    public int Steps { get; private set; }

    public void Run(int[] ops)
    {
        foreach (int op in ops)
        {
            Do(op, allowMigration: true);
            RetryParked();
            InvariantChecker.Check(_s, null, _ghost);
        }

        while (_pins.Count > 0)
        {
            Unpin();
        }

        RetryParked();
        InvariantChecker.Check(_s, null, _ghost);
        if (_waiting.Count != 0)
        {
            throw new InvalidOperationException($"{_waiting.Count} accessors still wait after every migration ended");
        }
    }

    public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        Steps++;
        _migrating.Clear();
        foreach (MigrationPage p in batch)
        {
            if (p.Has(MigrationProgress.OldLocked))
            {
                _migrating.Add(p.Old);
            }
        }

        InvariantChecker.Check(_s, _migrating, _ghost);
        if (_interleaved.Count > 0)
        {
            Do(_interleaved.Dequeue(), allowMigration: false);
            InvariantChecker.Check(_s, _migrating, _ghost);
        }
    }

    public override void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters)
    {
        foreach (PageLockWaiter w in waiters)
        {
            if (_waiting.Remove(w.Id, out int op))
            {
                _parked.Add(op);
            }
        }
    }

    private void Do(int op, bool allowMigration)
    {
        int kind = op % 9;
        int arg = op / 9;
        var (space, vpage) = _targets[arg % _targets.Count];
        switch (kind)
        {
            case 0 or 1:
                ulong value = _nextValue++;
                AccessResult w = _s.Write(space, vpage, value);
                if (Settle(w, op, PastEof(space, vpage)))
                {
                    _ghost[Logical(space, vpage)] = PageContents.Make(value);
                }

                break;
            case 2:
                AccessResult r = _s.Read(space, vpage);
                if (Settle(r, op, PastEof(space, vpage)))
                {
                    ulong expected = _ghost.GetValueOrDefault(Logical(space, vpage), PageContents.Zero);
                    if (r.Contents != expected)
                    {
                        throw new InvalidOperationException($"stale read at as{space}:{vpage}: {PageContents.ValueOf(r.Contents)}, expected {PageContents.ValueOf(expected)}");
                    }
                }

                break;
            case 3:
                bool dma = (arg & 1) == 1;
                AccessResult pin = _s.Pin(space, vpage, dma);
                if (Settle(pin, op, PastEof(space, vpage)))
                {
                    _pins.Add((pin.Page, dma));
                }

                break;
            case 4:
                if (_pins.Count > 0)
                {
                    Unpin();
                }

                break;
            case 5:
                long from = arg % 4;
                AccessResult t = _s.Truncate(_file, from);
                _fileSize = Math.Min(_fileSize, from);
                if (Settle(t, op))
                {
                    foreach (LogicalPage l in _ghost.Keys.Where(l => l.Mapping == _file && l.Key >= from).ToList())
                    {
                        _ghost.Remove(l);
                    }
                }

                break;
            case 6 or 7 when allowMigration:
                MovePages(space, arg, kind == 7);
                break;
            case 8 when allowMigration:
                int fromNode = arg % 3, toNode = (arg / 3) % 3;
                Migrate(() => _calls.MigratePagesSyscall(_a.Id, space, [fromNode], [toNode]));
                break;
            default:
                // A migration requested between steps of another runs as an accessor later.
                _interleaved.Enqueue(arg * 9);
                break;
        }
    }

    private void MovePages(int space, int arg, bool interleave)
    {
        var pages = _targets.Where(t => t.Space == space).Select(t => t.VirtualPage).Where((_, i) => ((arg >> (i % 16)) & 1) == 1).ToList();
        int node = arg % 3;
        if (interleave)
        {
            // Accessors to run between the steps of this migration.
            for (int i = 0; i < 4; i++)
            {
                _interleaved.Enqueue((arg * 7919) + i);
            }
        }

        async ValueTask<int> Call() => (await _calls.MovePages(_a.Id, space, pages, [.. pages.Select(_ => node)], MemPolicyFlags.MPOL_MF_MOVE_ALL)).ReturnValue;
        Migrate(Call);
    }

    private void Migrate(Func<ValueTask<int>> call)
    {
        _inMigration = true;
        ValueTask<int> task = call();
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("the in-process protocol must complete synchronously");
        }

        _inMigration = false;
        _interleaved.Clear();
        _migrating.Clear();
    }

    /// <summary>Whether the target is a page of the file at or past its end (truncate_setsize).</summary>
    private bool PastEof(int space, long vpage) => Logical(space, vpage) is { Mapping: var m, Key: var index } && m == _file && index >= _fileSize;

    private bool Settle(AccessResult r, int op, bool pastEof = false)
    {
        switch (r.Status)
        {
            case AccessStatus.Done:
                return true;
            case AccessStatus.Wait:
                if (!_inMigration)
                {
                    throw new InvalidOperationException($"an access waits on {r.Page} while no migration runs");
                }

                if (_s.Node(r.Page.Node).LockWaiters(r.Page.Pfn).Contains(r.Waiter))
                {
                    _waiting[r.Waiter.Id] = op;
                }
                else
                {
                    _parked.Add(op);
                }

                return false;
            default:
                // Past the end of a truncated file: SIGBUS, and -EFAULT for get_user_pages.
                if (pastEof && r.Errno is -Errno.SIGBUS or -Errno.EFAULT)
                {
                    return false;
                }

                if (r.Errno != -Errno.ENOMEM)
                {
                    throw new InvalidOperationException($"unexpected access error {Errno.Name(r.Errno)}");
                }

                return false;
        }
    }

    private void RetryParked()
    {
        for (int round = 0; round < 4 && _parked.Count > 0; round++)
        {
            int[] ops = [.. _parked];
            _parked.Clear();
            foreach (int op in ops)
            {
                Do(op, allowMigration: false);
            }
        }
    }

    private void Unpin()
    {
        var (page, dma) = _pins[0];
        _pins.RemoveAt(0);
        _s.Unpin(page, dma);
    }

    private LogicalPage Logical(int space, long vpage)
    {
        AddressSpaceMemory s = _s.Space(space);
        return InvariantChecker.LogicalOf(s, s.FindVma(vpage)!, vpage);
    }
}
