using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Tests.Networking;

/// <summary>Keeps every log line, so tests can wait for the line that says why a connection was closed.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Predicate, TaskCompletionSource<string> Seen)> _waiters = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>A factory whose every logger is this one (for <c>UseLogging</c>).</summary>
    public ILoggerFactory AsFactory() => new Factory(this);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{logLevel}: {formatter(state, exception)}";
        lock (_gate)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => w.Predicate(line)).ToList())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first line (already logged or still to come) that contains every one of <paramref name="parts"/>.</summary>
    public Task<string> WaitForLineAsync(params string[] parts)
    {
        bool Matches(string line) => parts.All(p => line.Contains(p, StringComparison.Ordinal));
        lock (_gate)
        {
            var existing = _lines.FirstOrDefault(Matches);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Matches, seen));
            return seen.Task.WaitAsync(NetworkTestSetup.Patience);
        }
    }

    private sealed class Factory(ListLogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
