using System.Globalization;

namespace MigrationCluster.Memory.Pages;

/// <summary>
/// Folio sizes as users write them (bytes, or with K, M suffixes: 4K, 64K, 2M) and the orders
/// they stand for: a power of two times the base page, at most a PMD's worth (the largest folio
/// the model allocates, order 9 with 4 KiB pages).
/// </summary>
public static class FolioSizes
{
    /// <summary>The base page size of x86-64 and of most ARM machines.</summary>
    public const int DefaultBasePageBytes = PageContents.PageSize;

    /// <summary>The largest folio order: HPAGE_PMD_ORDER with 4 KiB pages (a 2 MiB THP).</summary>
    public const int MaxOrder = Nodes.NodeMemory.MaxFolioOrder;

    /// <summary>The bytes a size text names (a number, optionally followed by K, M or G, binary units), or null.</summary>
    public static long? ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        long unit = 1;
        if (t.Length > 0 && char.ToUpperInvariant(t[^1]) is 'K' or 'M' or 'G')
        {
            unit = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            t = t[..^1];
        }
        else if (t.EndsWith("KiB", StringComparison.OrdinalIgnoreCase) || t.EndsWith("MiB", StringComparison.OrdinalIgnoreCase))
        {
            unit = char.ToUpperInvariant(t[^3]) == 'K' ? 1L << 10 : 1L << 20;
            t = t[..^3];
        }

        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 && n <= long.MaxValue / unit ? n * unit : null;
    }

    /// <summary>
    /// The folio order of <paramref name="text"/>, or the problem with it: not a size, not a
    /// power of two times the base page, larger than the PMD size, or larger than the region
    /// (<paramref name="regionPages"/>, when given).
    /// </summary>
    public static (int Order, string? Problem) Order(string text, int basePageBytes = DefaultBasePageBytes, long? regionPages = null)
    {
        long? bytes = ParseBytes(text);
        if (bytes is not { } b)
        {
            return (0, $"folio size '{text}' is not a size (a number of bytes, or with K or M: 4K, 64K, 2M)");
        }

        if (b % basePageBytes != 0 || !long.IsPow2(b / basePageBytes))
        {
            return (0, $"folio size {text} is not a power of two times the {basePageBytes / 1024} KiB base page");
        }

        int order = (int)long.Log2(b / basePageBytes);
        if (order > MaxOrder)
        {
            return (0, $"folio size {text} is larger than the PMD size ({(long)basePageBytes << MaxOrder >> 10} KiB)");
        }

        if (regionPages is { } pages && 1L << order > pages)
        {
            return (0, $"folio size {text} is larger than its region ({pages} pages of {basePageBytes / 1024} KiB)");
        }

        return (order, null);
    }

    /// <summary>How a folio order reads: 4K, 64K, 2M.</summary>
    public static string Name(int order, int basePageBytes = DefaultBasePageBytes)
    {
        long bytes = (long)basePageBytes << order;
        return bytes >= 1L << 20 && bytes % (1L << 20) == 0
            ? $"{bytes >> 20}M"
            : $"{bytes >> 10}K";
    }
}
