using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

/// <summary>
/// One NUMA node's memory: its page frames (one compact struct array), the free list, the LRU
/// lists, the reverse map and the page-lock wait queues. Everything that only touches this node's
/// frames is a method here, including the protocol steps done on the old or the new page's node.
/// </summary>
public sealed partial class NodeMemory
{
    /// <summary>pin_user_pages adds this to the refcount (GUP_PIN_COUNTING_BIAS).</summary>
    public const int GupPinCountingBias = 1024;

    private const int ListCount = 6;

    private readonly PageFrame[] _frames;
    private readonly int[] _head = [-1, -1, -1, -1, -1, -1];
    private readonly int[] _count = new int[ListCount];
    private readonly Dictionary<long, List<PteRef>> _rmapOverflow = [];
    private readonly Dictionary<long, Queue<PageLockWaiter>> _waiters = [];
    private readonly byte[]?[]? _bytes;
    private readonly List<long> _writebackQueue = [];

    public NodeMemory(int id, int capacity, ContentMode contentMode = ContentMode.Compact)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Id = id;
        ContentMode = contentMode;
        _frames = new PageFrame[capacity];
        if (contentMode == ContentMode.Full)
        {
            _bytes = new byte[capacity][];
        }

        // Build the free list back to front so allocation hands out frames in ascending order.
        for (int i = capacity - 1; i >= 0; i--)
        {
            _frames[i].Flags = PageFlags.Buddy;
            _frames[i].LruPrev = -1;
            _frames[i].LruNext = _head[(int)LruList.Free];
            if (_head[(int)LruList.Free] >= 0)
            {
                _frames[_head[(int)LruList.Free]].LruPrev = i;
            }

            _head[(int)LruList.Free] = i;
        }

        _count[(int)LruList.Free] = capacity;
    }

    public int Id { get; }

    public ContentMode ContentMode { get; }

    public int Capacity => _frames.Length;

    public int FreePages => _count[(int)LruList.Free];

    /// <summary>Pages of file mappings queued for writeback by migration (step 15).</summary>
    public IReadOnlyList<long> WritebackQueue => _writebackQueue;

    public int LruCount(LruList list) => _count[(int)list];

    /// <summary>Reads one frame (a copy: change frames through the methods).</summary>
    public PageFrame Frame(long pfn) => _frames[pfn];

    internal ref PageFrame FrameRef(long pfn) => ref _frames[pfn];
}
