using System.Runtime.InteropServices;

namespace MigrationCluster.Cli.Dashboard;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for a command that keeps a dashboard open, remembered from the
/// moment <see cref="Listen"/> is first called: a signal that comes while the run still goes on
/// (the silos' hosts take it too, and the run ends as usual) closes the dashboard right after the
/// report instead of leaving it open.
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

    /// <summary>Completes when a stop was asked for (at once if it already was).</summary>
    public static Task WaitAsync()
    {
        Listen();
        return Requested.Task;
    }

    private static void Handle(PosixSignalContext context)
    {
        // The process ends by itself once the dashboard has closed.
        context.Cancel = true;
        Requested.TrySetResult();
    }
}
