using System.IO.Pipelines;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// Many threads send frames; one loop writes them to the stream. Senders append to a pipe under
/// a short lock and return; the loop takes whatever has accumulated since its last write and
/// writes it at once, so 64 concurrent senders share a few syscalls instead of paying one each.
/// </summary>
internal sealed class CoalescingFrameSender
{
    // The pipe never pushes back on senders (Send is synchronous); memory is bounded by what the
    // peer fails to read, and a peer that stops reading gets its connection closed by timeouts above.
    private static readonly PipeOptions QueueOptions = new(
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    // The sender this thread has corked: its frames are queued without waking the write loop
    // until Uncork, so the frames one read batch produces leave in one write.
    [ThreadStatic]
    private static CoalescingFrameSender? t_corked;

    private readonly Pipe _queue = new(QueueOptions);
    private readonly Lock _gate = new();
    private readonly Stream _stream;
    private readonly Action<Exception> _onFailed;
    private bool _completed;
    private bool _unflushed;

    public CoalescingFrameSender(Stream stream, Action<Exception> onFailed)
    {
        _stream = stream;
        _onFailed = onFailed;
        Completion = Task.Run(WriteLoopAsync);
    }

    /// <summary>Completes when the loop has stopped: everything queued was written, or writing failed.</summary>
    public Task Completion { get; }

    /// <summary>Queues one frame (payload = header + body); false when the sender is closed.</summary>
    public bool TrySend(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            FrameCodec.WriteFrame(_queue.Writer, header, body);
            if (t_corked == this)
            {
                _unflushed = true;
            }
            else
            {
                Flush();
            }

            return true;
        }
    }

    /// <summary>
    /// Until <see cref="Uncork"/> on this same thread, frames this thread sends here are queued but
    /// not handed to the write loop (another thread's send, or the uncork, hands them over).
    /// </summary>
    /// <remarks>
    /// For the read loop of the same connection: the callers whose responses one read delivers
    /// send their next requests inline, and those should leave together rather than wake the
    /// write loop at the first one. The read loop never waits for its own sends, so holding
    /// them until the end of the batch cannot stall it.
    /// </remarks>
    public void Cork() => t_corked = this;

    /// <summary>Ends <see cref="Cork"/> and hands what was queued meanwhile to the write loop.</summary>
    public void Uncork()
    {
        t_corked = null;
        lock (_gate)
        {
            if (_unflushed && !_completed)
            {
                Flush();
            }
            _unflushed = false;
        }
    }

    // Under _gate. Without a pause threshold the flush completes at once; it only publishes the bytes to the loop.
    private void Flush()
    {
        _unflushed = false;
        var flush = _queue.Writer.FlushAsync();
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
        }
        else
        {
            flush.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Stops taking frames; the loop writes what is queued, then stops.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _queue.Writer.Complete();
        }
    }

    /// <summary>Stops taking frames and drops what is queued.</summary>
    public void Abort()
    {
        Complete();
        _queue.Reader.CancelPendingRead();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                // Under the lock, so that no sender is between its write and its flush.
                if (!_completed)
                {
                    _completed = true;
                    _queue.Writer.Complete();
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
            _onFailed(e);
        }
    }
}
