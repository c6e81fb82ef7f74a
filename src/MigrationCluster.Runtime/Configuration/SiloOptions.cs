namespace MigrationCluster.Runtime.Configuration;

/// <summary>Who this silo is.</summary>
public sealed class SiloOptions
{
    public const string DefaultClusterId = "dev";
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A human-readable name for logs and `cluster status`; defaults to a generated one.</summary>
    public string SiloName { get; set; } = $"silo-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Silos with the same cluster id form one cluster.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>How long a graceful stop waits for activations to deactivate.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SiloName))
        {
            throw new OptionsValidationException($"{nameof(SiloOptions)}.{nameof(SiloName)} is required.");
        }
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new OptionsValidationException($"{nameof(SiloOptions)}.{nameof(ClusterId)} is required.");
        }
        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(SiloOptions)}.{nameof(ShutdownTimeout)} must be positive (was {ShutdownTimeout}).");
        }
    }
}
