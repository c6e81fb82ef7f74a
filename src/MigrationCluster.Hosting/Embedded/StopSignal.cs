using System.Runtime.InteropServices;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for a command that keeps a dashboard open, remembered from the
/// moment <see cref="Listen"/> is first called: a signal that comes while the run still goes on
/// (the silos' hosts take it too, and the run ends as usual) closes the dashboard right after the
/// report instead of leaving it open. A second signal is not held back: the process ends at once.
/// </summary>
public static class StopSignal
{
    private static readonly TaskCompletionSource Requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration? _interrupt;
    private static PosixSignalRegistration? _terminate;

    /// <summary>Starts listening (once per process).</summary>
    public static void Listen()
    {
        lock (Gate)
        {
            _interrupt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
            _terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        }
    }

    /// <summary>Whether a stop was asked for already.</summary>
    public static bool IsRequested => Requested.Task.IsCompleted;

    /// <summary>Completes when a stop was asked for (at once if it already was).</summary>
    public static Task WaitAsync()
    {
        Listen();
        return Requested.Task;
    }

    private static void Handle(PosixSignalContext context)
    {
        // The first signal: the process ends by itself once the dashboard has closed. A second
        // one takes its default action, so pressing Ctrl+C again still ends the process at once
        // (an experiment sweep promises that, and a dashboard slow to close should not trap anyone).
        context.Cancel = Requested.TrySetResult();
    }
}
