namespace MigrationCluster.Runtime.Configuration;

/// <summary>An option has a value the runtime cannot start with; the message names it.</summary>
public sealed class OptionsValidationException(string message) : Exception(message)
{
}
