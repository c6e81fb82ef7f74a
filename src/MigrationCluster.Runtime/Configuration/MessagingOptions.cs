namespace MigrationCluster.Runtime.Configuration;

/// <summary>How long callers wait for grains, and how often that is checked.</summary>
public sealed class MessagingOptions
{
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultResponseTimeoutCheckPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>A call that has no response by then fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan ResponseTimeout { get; set; } = DefaultResponseTimeout;

    /// <summary>
    /// How often pending calls are checked against their deadlines: a timeout fires up to this
    /// much late. One sweep over the activations costs less than a timer per call.
    /// </summary>
    public TimeSpan ResponseTimeoutCheckPeriod { get; set; } = DefaultResponseTimeoutCheckPeriod;

    public void Validate()
    {
        if (ResponseTimeout <= TimeSpan.Zero)
        {
            throw new OptionsValidationException($"{nameof(MessagingOptions)}.{nameof(ResponseTimeout)} must be positive (was {ResponseTimeout}).");
        }
        if (ResponseTimeoutCheckPeriod <= TimeSpan.Zero || ResponseTimeoutCheckPeriod > ResponseTimeout)
        {
            throw new OptionsValidationException($"{nameof(MessagingOptions)}.{nameof(ResponseTimeoutCheckPeriod)} must be positive and at most {nameof(ResponseTimeout)} (was {ResponseTimeoutCheckPeriod}).");
        }
    }
}
