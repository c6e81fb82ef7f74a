using System.Diagnostics;
using System.Runtime;

namespace MigrationCluster.Experiments;

/// <summary>
/// The peak resident set of this process over one point: <see cref="Process.PeakWorkingSet64"/>
/// (the kernel's VmHWM on Linux), reset before the point by writing 5 to /proc/self/clear_refs.
/// Where the reset is not possible (not Linux), the figure is the peak since the process started.
/// </summary>
public static class PeakMemory
{
    /// <summary>Collects garbage and resets the peak; returns false if only the process-lifetime peak can be read.</summary>
    public static bool Reset()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set since the last <see cref="Reset"/>, in MiB.</summary>
    public static double PeakMb()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
