using System.Buffers;
using System.Collections.Concurrent;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

/// <summary>Copies every frame it receives and records how the connection closed.</summary>
internal sealed class CollectingFrameHandler : IFrameHandler
{
    private readonly ConcurrentQueue<byte[]> _frames = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public IReadOnlyCollection<byte[]> Frames => _frames;

    /// <summary>Completes with the close reason when the connection closes.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public void OnFrame(Connection connection, ReadOnlySequence<byte> payload)
    {
        _frames.Enqueue(payload.ToArray());
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => _frames.Count >= w.Count).ToList())
            {
                waiter.Reached.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public void OnClosed(Connection connection, Exception? reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            throw new InvalidOperationException("OnClosed was called twice.");
        }
    }

    public Task WaitForFramesAsync(int count)
    {
        lock (_gate)
        {
            if (_frames.Count >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task.WaitAsync(NetworkTestSetup.Patience);
        }
    }
}
