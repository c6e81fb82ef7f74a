using Microsoft.Extensions.Options;
using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>Checks <see cref="SiloProcessOptions"/> at start: each failure is one sentence naming its <c>Silo:*</c> setting.</summary>
public sealed class SiloProcessOptionsValidator : IValidateOptions<SiloProcessOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.StartTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Silo:StartTimeout must be positive (was {options.StartTimeout}).");
        }
        if (options.TlsCertificateFile is { } file && !File.Exists(file))
        {
            failures.Add($"Silo:TlsCertificateFile: no such file '{file}'.");
        }
        try
        {
            _ = options.TraceExport;
        }
        catch (TraceExportOptionException exception)
        {
            failures.Add($"Silo:Traces: {exception.Message}");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
