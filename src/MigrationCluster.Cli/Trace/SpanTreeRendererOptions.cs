namespace MigrationCluster.Cli.Trace;

/// <summary>What <see cref="SpanTreeRenderer"/> shows beside each span, and how deep it draws.</summary>
public sealed class SpanTreeRendererOptions
{
    /// <summary>
    /// Tags shown by default, in this order, under the last part of their name
    /// (<c>migration.step</c> as <c>step=4</c>, <c>page.pfn</c> as <c>pfn=17</c>).
    /// </summary>
    public static IReadOnlyList<string> DefaultKeyAttributes { get; } =
    [
        "migration.step",
        "migration.pass",
        "migration.mode",
        "migration.reason",
        "migration.result",
        "page.pfn",
        "page.count",
        "node.source",
        "node.target",
        "errno",
        "error.type",
    ];

    public const bool DefaultShowAllAttributes = false;
    public const bool DefaultShowEvents = true;
    public const int DefaultMaxValueLength = 40;

    /// <summary>
    /// Levels drawn below a root before a subtree is cut (the protocol's traces are about eight
    /// deep). Each level widens every line below it, so a tree of unbounded depth would cost its
    /// depth squared.
    /// </summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Tags shown when <see cref="ShowAllAttributes"/> is off.</summary>
    public IReadOnlyList<string> KeyAttributes { get; init; } = DefaultKeyAttributes;

    /// <summary>Show every tag (under its full name) instead of the key tags.</summary>
    public bool ShowAllAttributes { get; init; } = DefaultShowAllAttributes;

    /// <summary>Show event names with their counts (<c>set_migration_pte×2</c>).</summary>
    public bool ShowEvents { get; init; } = DefaultShowEvents;

    /// <summary>Longer tag values are cut and end in '…'.</summary>
    public int MaxValueLength { get; init; } = DefaultMaxValueLength;

    /// <summary>Spans deeper than this are not drawn; their parent says how many were left out.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    public void Validate()
    {
        if (KeyAttributes is null || KeyAttributes.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("SpanTreeRendererOptions.KeyAttributes must be a list of non-empty tag names.");
        }

        if (MaxValueLength < 4)
        {
            throw new ArgumentException($"SpanTreeRendererOptions.MaxValueLength must be at least 4, was {MaxValueLength}.");
        }

        if (MaxDepth < 1)
        {
            throw new ArgumentException($"SpanTreeRendererOptions.MaxDepth must be at least 1, was {MaxDepth}.");
        }
    }
}
