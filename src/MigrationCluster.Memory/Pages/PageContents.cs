namespace MigrationCluster.Memory.Pages;

/// <summary>
/// The compact representation of a page's 4 KiB: one word, a 48-bit value and a 16-bit checksum of
/// it, so that a copy that loses or mixes up bits is detectable without carrying the bytes.
/// </summary>
public static class PageContents
{
    public const int PageSize = 4096;
    public const ulong MaxValue = (1UL << 48) - 1;

    /// <summary>The contents of a freshly zeroed page.</summary>
    public static readonly ulong Zero = Make(0);

    public static ulong Make(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        return (value << 16) | Checksum(value);
    }

    public static ulong ValueOf(ulong contents) => contents >> 16;

    public static bool IsValid(ulong contents) => (contents & 0xFFFF) == Checksum(contents >> 16);

    private static ulong Checksum(ulong value)
    {
        // Fold the value with a multiplier so that single-bit and swapped-half errors both show.
        ulong h = (value + 0x9E37) * 0x9E3779B97F4A7C15UL;
        return (h ^ (h >> 29) ^ (h >> 47)) & 0xFFFF;
    }

    /// <summary>Fills a full 4 KiB page with the bytes the compact word stands for.</summary>
    public static void Expand(ulong contents, Span<byte> page)
    {
        ulong x = contents | 1;
        for (int i = 0; i < page.Length; i += 8)
        {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            BitConverter.TryWriteBytes(page.Slice(i, 8), i == 0 ? contents : x);
        }
    }

    /// <summary>Reads the compact word back from full bytes; fails if any byte disagrees with it.</summary>
    public static ulong Fold(ReadOnlySpan<byte> page)
    {
        ulong contents = BitConverter.ToUInt64(page[..8]);
        Span<byte> expected = stackalloc byte[PageSize];
        Expand(contents, expected);
        if (!page.SequenceEqual(expected))
        {
            throw new InvalidOperationException($"page bytes do not match their header word {contents:x16}");
        }

        return contents;
    }
}
