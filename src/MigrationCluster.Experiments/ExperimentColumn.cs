using System.Globalization;

namespace MigrationCluster.Experiments;

/// <summary>The kind of value a results column holds.</summary>
public enum ColumnKind
{
    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A decimal number (invariant culture, '.' as separator).</summary>
    Number,

    /// <summary>Free text.</summary>
    Text,
}

/// <summary>
/// One column of results.csv: its name, the kind of value, whether it depends on timing (machine,
/// load, thread interleaving) rather than only on the seed, and how a row gives its value (null: empty cell).
/// </summary>
public sealed record ExperimentColumn(string Name, ColumnKind Kind, bool Timing, Func<ExperimentRow, object?> Value)
{
    /// <summary>The cell's text: integers as they are, numbers with up to six decimals, null as empty.</summary>
    public string Format(ExperimentRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return Value(row) switch
        {
            null => string.Empty,
            double d => double.IsFinite(d) ? d.ToString("0.######", CultureInfo.InvariantCulture) : string.Empty,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString() ?? string.Empty,
        };
    }
}
