using System.Runtime.CompilerServices;
using System.Text;

namespace MigrationCluster.Runtime.Core;

/// <summary>
/// A 32-bit hash that is the same in every process and on every machine (unlike
/// <see cref="string.GetHashCode()"/>, which is randomised per process). The directory's hash
/// ring and hash-based placement depend on it. This is the 32-bit FNV-1a over UTF-8 bytes,
/// followed by a murmur3-style finaliser so that short keys spread over the whole range.
/// </summary>
public static class StableHash
{
    private const uint FnvOffsetBasis = 2166136261;
    private const uint FnvPrime = 16777619;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint hash = FnvOffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= FnvPrime;
        }
        return Finalise(hash);
    }

    public static uint Compute(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 512)
        {
            Span<byte> buffer = stackalloc byte[max];
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return Compute(buffer[..written]);
        }
        return Compute(Encoding.UTF8.GetBytes(text));
    }

    public static uint Combine(uint a, uint b) => Finalise(a ^ (b + 0x9e3779b9 + (a << 6) + (a >> 2)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finalise(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
