using MigrationCluster.Runtime.Telemetry;
using MigrationCluster.Silo.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Silo.Hosting;

/// <summary>
/// The silo process: Generic Host, settings from <c>appsettings.json</c> (next to the program),
/// <c>MIGRATIONCLUSTER_*</c> environment variables and the command line, validated before
/// anything starts. Exit codes: 0 stopped, 1 failed (or declared dead), 2 bad settings.
/// </summary>
public static class SiloHost
{
    public const string EnvironmentPrefix = "MIGRATIONCLUSTER_";

    /// <summary>Short command-line switches for the common settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--state-dir"] = "Silo:StateDir",
        ["--name"] = "Silo:SiloName",
        ["--port"] = "Silo:ListenPort",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--traces"] = "Silo:Traces",
    };

    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args, SwitchMappings.ToDictionary());

        SiloProcessOptions options;
        try
        {
            options = builder.Configuration.GetSection(SiloProcessOptions.SectionName).Get<SiloProcessOptions>() ?? new SiloProcessOptions();
            options.Validate();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException or Runtime.Configuration.OptionsValidationException)
        {
            Console.Error.WriteLine($"migration-cluster-silo: {exception.Message.ReplaceLineEndings(" ")}");
            return 2;
        }

        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddSingleton(options);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        builder.Services.AddHostedService<SiloService>();

        using var tracing = MigrationClusterTracing.Build(
            SiloProcessOptions.TraceExportOptionsOf(options), [TelemetryNames.RuntimeActivitySource], options.SiloName ?? "migration-cluster-silo", Console.Out);
        using var host = builder.Build();
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MigrationCluster.SiloProcess")
            .LogInformation("Starting silo with {Options}", options);
        try
        {
            host.Run();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"migration-cluster-silo: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        return Environment.ExitCode;
    }
}
