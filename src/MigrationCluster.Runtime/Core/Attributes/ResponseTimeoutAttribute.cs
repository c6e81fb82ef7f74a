namespace MigrationCluster.Runtime.Core;

/// <summary>Overrides the silo's <c>ResponseTimeout</c> for one interface method.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ResponseTimeoutAttribute : Attribute
{
    /// <param name="timeout">A <see cref="TimeSpan"/> in its invariant text form, e.g. "00:00:05".</param>
    public ResponseTimeoutAttribute(string timeout)
    {
        Timeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture);
    }

    public TimeSpan Timeout { get; }
}
