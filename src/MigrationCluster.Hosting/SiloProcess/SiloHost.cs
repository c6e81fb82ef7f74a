using System.Security.Cryptography.X509Certificates;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Orleans.Dashboard;
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
        var builder = CreateBuilder(args);
        SiloProcessOptions options;
        SiloClustering clustering;
        try
        {
            (options, clustering) = ReadSettings(builder);
        }
        catch (ArgumentException exception)
        {
            return Fail(2, exception.Message);
        }

        if (clustering.UsesPostgres && PrepareSchema(clustering, options.StartTimeout) is { } failure)
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
        var siloName = builder.Configuration["Orleans:Name"] ?? $"silo-{Environment.ProcessId}";
        // Orleans' and the framework's own information lines are noise in a silo's log; the settings may ask for them.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddSiloSettings();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        // SIGTERM and Ctrl+C stop the host gracefully: the silo leaves the cluster (ShuttingDown, then Dead).
        builder.Services.AddSingleton<IHostLifetime, Microsoft.Extensions.Hosting.Internal.ConsoleLifetime>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<SiloOptions>(o => o.SiloName = siloName);
            silo.UseClusterSecurity(certificate);
            if (options.Dashboard)
            {
                silo.AddDashboard();
            }
            if (RunsInKubernetesPod)
            {
                // Orleans' Kubernetes integration: silo name from the pod, and dead silos' pods and rows kept in step.
                silo.UseKubernetesHosting();
            }
        });
        var trace = options.TraceExport;
        if (!trace.IsNone)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddMigrationClusterResource(siloName))
                .WithTracing(t => t.AddSource([.. TelemetrySources.Default]).AddMigrationClusterExporters(trace));
        }
        if (options.State is { } state)
        {
            builder.Services.AddHostedService(services => new SiloStatusPublisher(state, siloName, services));
        }

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MigrationCluster.SiloProcess");
        var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        logger.LogInformation("Starting silo {SiloName} with {Settings}", siloName, Describe(host.Services, clustering, options));
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
                    return Fail(1, $"silo {siloName} could not join cluster '{cluster.ClusterId}' within {options.StartTimeout.TotalSeconds:0} s");
                }
                catch (Exception exception) when (exception is OptionsValidationException or OrleansConfigurationException)
                {
                    // A provider's own check (Orleans' validators) refused its settings.
                    return Fail(2, SiloSettingAliases.Annotate(exception.Message, builder.Configuration));
                }
            }
            logger.LogInformation("Silo {SiloName} is Active (pid {Pid})", siloName, Environment.ProcessId);
            host.WaitForShutdown();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return Fail(1, FailureMessage.Of(exception));
        }
        return Environment.ExitCode;
    }

    /// <summary>
    /// The host with the silo's configuration: <c>appsettings.json</c>, environment variables
    /// (Orleans' own keys such as <c>Orleans__Clustering__ProviderType</c> unprefixed, as in any
    /// .NET host; ours with <see cref="EnvironmentPrefix"/>), then the command line.
    /// </summary>
    internal static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args, SwitchMappings.ToDictionary());
        return builder;
    }

    /// <summary>
    /// The aliases turned into Orleans keys, every option bound and validated, the clustering
    /// section checked, and Orleans' silo builder made (it reads the <c>Orleans</c> section and
    /// refuses an unknown <c>ProviderType</c>), all before anything is created on disk.
    /// </summary>
    /// <exception cref="ArgumentException">One line naming the setting (its alias too, when that is what was set).</exception>
    internal static (SiloProcessOptions Options, SiloClustering Clustering) ReadSettings(HostApplicationBuilder builder)
    {
        try
        {
            SiloSettingAliases.AddTo(builder.Configuration);
            var options = SiloSettings.Check(builder.Configuration);
            var clustering = SiloClustering.Read(builder.Configuration);
            clustering.Validate();
            builder.UseOrleans(silo => silo.AddNumaSimulation());
            return (options, clustering);
        }
        catch (Exception exception) when (exception is OptionsValidationException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException(SiloSettingAliases.Annotate(exception.Message.ReplaceLineEndings(" "), builder.Configuration), exception);
        }
    }

    /// <summary>The settings in force, for the start-up log line: Orleans' options as the silo will use them, and ours.</summary>
    private static string Describe(IServiceProvider services, SiloClustering clustering, SiloProcessOptions options)
    {
        var cluster = services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        var endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        var membership = services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        return $"ClusterId={cluster.ClusterId}, ServiceId={cluster.ServiceId}, Endpoint={endpoints.AdvertisedIPAddress}:{endpoints.SiloPort} (gateway {endpoints.GatewayPort}), " +
            $"Clustering={clustering.Describe()}, {options}, ProbeTimeout={membership.ProbeTimeout}, NumMissedProbesLimit={membership.NumMissedProbesLimit}, " +
            $"NumVotesForDeathDeclaration={membership.NumVotesForDeathDeclaration}, IAmAliveTablePublishTimeout={membership.IAmAliveTablePublishTimeout}, TableRefreshTimeout={membership.TableRefreshTimeout}";
    }

    /// <summary>
    /// A fresh database works: the membership schema is applied (idempotently) before Orleans'
    /// provider reads its queries. Returns the one-line failure, or null.
    /// </summary>
    private static string? PrepareSchema(SiloClustering clustering, TimeSpan timeLimit)
    {
        using var timeout = new CancellationTokenSource(timeLimit);
        try
        {
            PostgresMembershipSchema.ApplyAsync(clustering.ConnectionString!, timeout.Token).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            var reason = exception.InnerException is System.Net.Sockets.SocketException socket ? $"{exception.Message} ({socket.Message})" : exception.Message;
            return $"cannot prepare the PostgreSQL membership schema at {clustering.Describe()}: {reason}";
        }
    }

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"migration-cluster-silo: {message.ReplaceLineEndings(" ")}");
        return exitCode;
    }
}
