using System.Threading.Channels;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// The floor of the runtime benchmark: a bare actor with one <see cref="Channel{T}"/> mailbox,
/// answering through a <see cref="TaskCompletionSource{TResult}"/>. This is the natural simple
/// implementation a grain call is measured against, so it is deliberately plain (no pooling).
/// </summary>
public sealed class ChannelActor
{
    private readonly Channel<(int Value, TaskCompletionSource<int> Reply)> _mailbox =
        Channel.CreateUnbounded<(int, TaskCompletionSource<int>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public ChannelActor() => _loop = Task.Run(RunAsync);

    public Task<int> Ping(int value)
    {
        var reply = new TaskCompletionSource<int>();
        if (!_mailbox.Writer.TryWrite((value, reply)))
        {
            throw new InvalidOperationException("The actor has stopped.");
        }
        return reply.Task;
    }

    /// <summary>Closes the mailbox and waits for the loop to drain it.</summary>
    public Task StopAsync()
    {
        _mailbox.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                message.Reply.SetResult(message.Value + 1);
            }
        }
    }
}
