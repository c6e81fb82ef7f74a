using System.Runtime.InteropServices;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM, handled alike by a long command: one line on stderr saying what
/// was abandoned, then the signal's own exit, which shells report as 128 + the signal's number
/// (130 for Ctrl+C, 143 for SIGTERM; the README lists them).
/// </summary>
public sealed class InterruptSignals : IDisposable
{
    /// <summary>Ctrl+C (128 + SIGINT).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>SIGTERM (128 + SIGTERM).</summary>
    public const int TerminatedExitCode = 143;

    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    private InterruptSignals(Action<PosixSignalContext> handler)
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, handler);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, handler);
    }

    /// <summary>Says "interrupted (Ctrl+C): <paramref name="abandoned"/>" when a signal comes, and lets it end the process.</summary>
    public static InterruptSignals Notify(string abandoned) =>
        new(context =>
        {
            Console.Error.WriteLine($"migration-cluster: interrupted ({Name(context.Signal)}): {abandoned}");
            if (context.Signal == PosixSignal.SIGTERM)
            {
                // The runtime's own SIGTERM handling ends the process with exit code 0, as if the
                // command had succeeded: the exit says what happened instead.
                context.Cancel = true;
                Environment.Exit(TerminatedExitCode);
            }
        });

    /// <summary>Hands each signal to <paramref name="handler"/>, which may cancel its default action.</summary>
    public static InterruptSignals Handle(Action<PosixSignalContext> handler) => new(handler);

    /// <summary>"Ctrl+C" or "SIGTERM", for messages.</summary>
    public static string Name(PosixSignal signal) => signal == PosixSignal.SIGINT ? "Ctrl+C" : signal.ToString();

    /// <summary>The exit code a shell shows for <paramref name="signal"/>.</summary>
    public static int ExitCodeOf(PosixSignal signal) => signal == PosixSignal.SIGTERM ? TerminatedExitCode : InterruptedExitCode;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
