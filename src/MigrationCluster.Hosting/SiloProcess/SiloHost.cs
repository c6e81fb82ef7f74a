using System.Security.Cryptography.X509Certificates;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The silo process (the <c>migration-cluster-silo</c> executable and what <c>cluster start</c>
/// launches): an Orleans silo in the Generic Host, settings from <c>appsettings.json</c> (next to
/// the program), <c>MIGRATIONCLUSTER_*</c> environment variables and the command line, validated
/// before anything starts. Exit codes: 0 stopped, 1 failed (or could not join in time), 2 bad settings.
/// </summary>
public static class SiloHost
{
    public const string EnvironmentPrefix = "MIGRATIONCLUSTER_";

    /// <summary>Short command-line switches for the common settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--state-dir"] = "Silo:StateDir",
        ["--name"] = "Silo:SiloName",
        ["--port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--listen"] = "Silo:ListenAddress",
        ["--advertise"] = "Silo:AdvertisedAddress",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--traces"] = "Silo:Traces",
    };

    /// <summary>Kubernetes sets this in every container of a pod.</summary>
    public static bool RunsInKubernetesPod => Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null;

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
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
        {
            return Fail(2, exception.Message);
        }

        if (options.Clustering == ClusteringProvider.Postgres && PrepareSchema(options) is { } failure)
        {
            return Fail(1, failure);
        }

        options.State?.EnsureCreated();
        X509Certificate2? certificate;
        try
        {
            certificate = options.TlsCertificateFile is { } file ? ClusterCertificate.Load(file)
                : options.State is { } own ? ClusterCertificate.LoadOrCreate(own.CertificateFile)
                : null;
        }
        catch (ArgumentException exception)
        {
            return Fail(2, exception.Message);
        }
        var siloName = options.SiloName ?? $"silo-{Environment.ProcessId}";
        // Orleans' and the framework's own information lines are noise in a silo's log; the settings may ask for them.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddSingleton(options);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        // SIGTERM and Ctrl+C stop the host gracefully: the silo leaves the cluster (ShuttingDown, then Dead).
        builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>();
        builder.UseOrleans(silo =>
        {
            silo.UseMigrationCluster(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
                o.ListenAddress = options.ListenAddress;
                o.AdvertisedAddress = options.AdvertisedAddress;
                o.SiloPort = options.SiloPort;
                o.GatewayPort = options.GatewayPort;
                o.Dashboard = options.Dashboard;
                options.ApplyTo(o);
                o.TlsCertificate = certificate;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = siloName);
            silo.Configure<ClusterMembershipOptions>(options.ApplyTo);
            if (RunsInKubernetesPod)
            {
                // Orleans' Kubernetes integration: silo name from the pod, and dead silos' pods and rows kept in step.
                silo.UseKubernetesHosting();
            }
        });
        var trace = SiloProcessOptions.TraceExportOptionsOf(options);
        if (!trace.IsNone)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(OtelEnvironment.ResolveServiceName(siloName, OtelEnvironment.Process)))
                .WithTracing(t => t.AddSource([.. TelemetrySources.Default]).AddMigrationClusterExporters(trace));
        }
        if (options.State is { } state)
        {
            builder.Services.AddHostedService(services => new SiloStatusPublisher(state, siloName, services));
        }

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MigrationCluster.SiloProcess");
        logger.LogInformation("Starting silo {SiloName} with {Options}", siloName, options);
        if (certificate is null)
        {
            logger.LogWarning("No TLS certificate (Silo:TlsCertificateFile or Silo:StateDir): silo connections are plain TCP");
        }
        try
        {
            using (var joining = new CancellationTokenSource(options.StartTimeout))
            {
                try
                {
                    host.StartAsync(joining.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (joining.IsCancellationRequested)
                {
                    return Fail(1, $"silo {siloName} could not join cluster '{options.ClusterId}' within {options.StartTimeout.TotalSeconds:0} s");
                }
            }
            logger.LogInformation("Silo {SiloName} is Active (pid {Pid})", siloName, Environment.ProcessId);
            host.WaitForShutdown();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Fail(1, $"{exception.GetType().Name}: {exception.Message}");
        }
        return Environment.ExitCode;
    }

    /// <summary>
    /// A fresh database works: the membership schema is applied (idempotently) before Orleans'
    /// provider reads its queries. Returns the one-line failure, or null.
    /// </summary>
    private static string? PrepareSchema(SiloProcessOptions options)
    {
        using var timeout = new CancellationTokenSource(options.StartTimeout);
        try
        {
            PostgresMembershipSchema.ApplyAsync(options.MembershipConnection!, timeout.Token).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            var reason = exception.InnerException is System.Net.Sockets.SocketException socket ? $"{exception.Message} ({socket.Message})" : exception.Message;
            return $"cannot prepare the PostgreSQL membership schema at {options.DescribeMembership()}: {reason}";
        }
    }

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"migration-cluster-silo: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }
}
