using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// The pages of a migration batch that one grain works on in one step: a window
/// [<see cref="Start"/>, <see cref="Start"/> + <see cref="Length"/>) of the coordinator's batch.
/// Within a silo the window crosses the grain boundary by reference (the owner changes its own
/// pages in place and hands the same window back, and nobody else touches them until it has);
/// between silos only the window's pages travel (<see cref="Serialization.BatchRunCodec"/>), and
/// the coordinator copies the answer back into its batch.
/// </summary>
public readonly struct BatchRun
{
    public BatchRun(MigrationPage[] pages, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, pages.Length - start);
        Pages = pages;
        Start = start;
        Length = length;
    }

    /// <summary>The array the window lies in (the coordinator's batch buffer, or a copy that crossed silos).</summary>
    public MigrationPage[] Pages { get; }

    public int Start { get; }

    public int Length { get; }

    public Span<MigrationPage> Span => Pages.AsSpan(Start, Length);

    /// <summary>A window on a whole array.</summary>
    public static BatchRun Of(MigrationPage[] pages) => new(pages ?? throw new ArgumentNullException(nameof(pages)), 0, pages.Length);

    /// <summary>Whether this is the very window <paramref name="sent"/> was (a local call: the pages are already in place).</summary>
    public bool IsSameWindowAs(BatchRun sent) => ReferenceEquals(Pages, sent.Pages) && Start == sent.Start && Length == sent.Length;
}
