using System.Diagnostics.CodeAnalysis;

namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The identity of a grain: its grain type (a short name such as <c>numanode</c>) and a key,
/// written <c>type/key</c>. Integer keys are written in decimal, GUID keys in the "N" format.
/// The hash is stable across processes (see <see cref="StableHash"/>).
/// </summary>
public readonly struct GrainId : IEquatable<GrainId>, IComparable<GrainId>
{
    private readonly string? _type;
    private readonly string? _key;

    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        if (type.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A grain type may not contain '/': '{type}'.", nameof(type));
        }
        _type = type;
        _key = key;
        StableHashCode = StableHash.Combine(StableHash.Compute(type), StableHash.Compute(key));
    }

    public string Type => _type ?? string.Empty;

    public string Key => _key ?? string.Empty;

    public bool IsDefault => _type is null;

    /// <summary>The same value in every process: use it for rings and hash placement.</summary>
    public uint StableHashCode { get; }

    public static GrainId Create(string type, long key) => new(type, key.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static GrainId Create(string type, Guid key) => new(type, key.ToString("N"));

    public static GrainId Create(string type, string key) => new(type, key);

    public long GetIntegerKey() => long.TryParse(Key, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new InvalidOperationException($"Grain {this} does not have an integer key.");

    public Guid GetGuidKey() => Guid.TryParseExact(Key, "N", out var value)
        ? value
        : throw new InvalidOperationException($"Grain {this} does not have a GUID key.");

    public static GrainId Parse(string text)
    {
        if (!TryParse(text, out var id))
        {
            throw new FormatException($"'{text}' is not a grain id: expected 'type/key'.");
        }
        return id;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out GrainId id)
    {
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0)
        {
            id = default;
            return false;
        }
        id = new GrainId(text[..slash], text[(slash + 1)..]);
        return true;
    }

    public bool Equals(GrainId other) => StableHashCode == other.StableHashCode
        && string.Equals(_type, other._type, StringComparison.Ordinal)
        && string.Equals(_key, other._key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is GrainId other && Equals(other);

    public override int GetHashCode() => (int)StableHashCode;

    public int CompareTo(GrainId other)
    {
        var c = string.CompareOrdinal(Type, other.Type);
        return c != 0 ? c : string.CompareOrdinal(Key, other.Key);
    }

    public override string ToString() => $"{Type}/{Key}";

    public static bool operator ==(GrainId left, GrainId right) => left.Equals(right);

    public static bool operator !=(GrainId left, GrainId right) => !left.Equals(right);

    public static bool operator <(GrainId left, GrainId right) => left.CompareTo(right) < 0;

    public static bool operator >(GrainId left, GrainId right) => left.CompareTo(right) > 0;

    public static bool operator <=(GrainId left, GrainId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GrainId left, GrainId right) => left.CompareTo(right) >= 0;
}
