namespace MigrationCluster.Runtime.Core;

/// <summary>Overrides the silo's <c>CollectionAge</c> for one grain class.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class CollectionAgeLimitAttribute(string age) : Attribute
{
    public TimeSpan Age { get; } = TimeSpan.Parse(age, System.Globalization.CultureInfo.InvariantCulture);
}
