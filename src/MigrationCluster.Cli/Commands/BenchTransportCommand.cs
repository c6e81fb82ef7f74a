using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;
using MigrationCluster.Silo.Diagnostics;
using MigrationCluster.Silo.Hosting;
using Spectre.Console;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>bench transport --json PATH</c> (hidden): in one run, a floor (raw multiplexed TCP echo
/// between this process and a child process) and grain calls between two silo processes, each
/// with 1 sequential caller and with 64 concurrent callers.
/// </summary>
public static class BenchTransportCommand
{
    public const int ConcurrentCallers = 64;
    private const string EchoServerSwitch = "--echo-server";

    public static Command Create()
    {
        var json = new Option<FileInfo>("--json") { Description = "Where to write the results as JSON.", HelpName = "PATH" };
        var duration = new Option<double>("--duration") { Description = "Seconds to measure each case.", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up before each case.", HelpName = "SECONDS", DefaultValueFactory = _ => 1 };
        var echoServer = new Option<bool>(EchoServerSwitch) { Hidden = true, Description = "Run the raw echo server (the floor's other process) until stdin closes." };
        var command = new Command("transport", "Raw TCP echo floor vs grain calls between two silo processes.") { json, duration, warmup, echoServer };
        command.Hidden = true;
        command.Validators.Add(r =>
        {
            if (r.GetValue(echoServer))
            {
                return;
            }
            if (r.GetValue(json) is null)
            {
                r.AddError("--json PATH is required.");
            }
            // Only values given on the command line: defaults are not visible to a validator.
            if ((r.GetResult(duration) is { Implicit: false } && r.GetValue(duration) is <= 0 or > 600)
                || (r.GetResult(warmup) is { Implicit: false } && r.GetValue(warmup) is < 0 or > 600))
            {
                r.AddError("--duration must be more than 0 and --warmup at least 0 seconds (both at most 600).");
            }
        });
        command.SetAction(parse =>
        {
            if (parse.GetValue(echoServer))
            {
                return RunEchoServer();
            }
            try
            {
                var path = parse.GetRequiredValue(json).FullName;
                using var output = File.Create(path);
                var report = RunAsync(TimeSpan.FromSeconds(parse.GetValue(duration)), TimeSpan.FromSeconds(parse.GetValue(warmup))).GetAwaiter().GetResult();
                JsonSerializer.Serialize(output, report, BenchTransportReport.JsonOptions);
                WriteTable(report);
                return 0;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ClusterCommandException or SiloUnavailableException or TimeoutException or InvalidOperationException)
            {
                Console.Error.WriteLine($"migration-cluster: {exception.Message.ReplaceLineEndings(" ")}");
                return 1;
            }
        });
        return command;
    }

    private static int RunEchoServer()
    {
        using var stop = new CancellationTokenSource();
        var server = RawEchoServer.RunAsync(new IPEndPoint(IPAddress.Loopback, 0), endpoint => Console.Out.WriteLine($"PORT {endpoint.Port}"), stop.Token);
        Console.Out.Flush();
        // The parent closes our stdin when it is done (or dies).
        while (Console.In.ReadLine() is not null)
        {
        }
        stop.Cancel();
        server.GetAwaiter().GetResult();
        return 0;
    }

    private static async Task<BenchTransportReport> RunAsync(TimeSpan duration, TimeSpan warmup)
    {
        var floor = await MeasureFloorAsync(duration, warmup).ConfigureAwait(false);
        var grains = await MeasureGrainCallsAsync(duration, warmup).ConfigureAwait(false);
        return new BenchTransportReport(
            Environment.ProcessorCount,
            duration.TotalSeconds,
            floor.Sequential,
            floor.Concurrent,
            grains.Sequential,
            grains.Concurrent,
            grains.Concurrent.CallsPerSecond / floor.Concurrent.CallsPerSecond,
            grains.Sequential.P50Microseconds / floor.Sequential.P50Microseconds);
    }

    private static async Task<(BenchCase Sequential, BenchCase Concurrent)> MeasureFloorAsync(TimeSpan duration, TimeSpan warmup)
    {
        var (program, prefix) = ClusterLauncher.SelfCommand();
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var argument in prefix.Concat(["bench", "transport", EchoServerSwitch]))
        {
            start.ArgumentList.Add(argument);
        }
        using var child = Process.Start(start) ?? throw new ClusterCommandException("Could not start the echo server process.");
        try
        {
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
            {
                throw new ClusterCommandException($"The echo server process did not report its port (said '{line}').");
            }
            var endpoint = new IPEndPoint(IPAddress.Loopback, int.Parse(line.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture));
            Console.Error.WriteLine("bench transport: floor, 1 caller");
            var sequential = await RawEchoBenchmark.MeasureAsync(endpoint, 1, duration, warmup).ConfigureAwait(false);
            Console.Error.WriteLine($"bench transport: floor, {ConcurrentCallers} callers");
            var concurrent = await RawEchoBenchmark.MeasureAsync(endpoint, ConcurrentCallers, duration, warmup).ConfigureAwait(false);
            return (BenchCase.From(sequential), BenchCase.From(concurrent));
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                child.Kill();
            }
        }
    }

    private static async Task<(BenchCase Sequential, BenchCase Concurrent)> MeasureGrainCallsAsync(TimeSpan duration, TimeSpan warmup)
    {
        var state = new LocalClusterState(Path.Combine(Path.GetTempPath(), "mc-bench-transport-" + Guid.NewGuid().ToString("N")));
        try
        {
            Console.Error.WriteLine("bench transport: starting 2 silo processes");
            await ClusterLauncher.StartAsync(state, 2, TimeSpan.FromSeconds(60), Console.Error).ConfigureAwait(false);
            var messaging = new MessagingOptions { ResponseTimeout = (duration + warmup) * 4 + TimeSpan.FromSeconds(60) };
            await using var client = await LocalClusterClient.ConnectAsync(state.Directory, [typeof(IBenchDriverGrain).Assembly], messaging).ConfigureAwait(false);
            var driver = client.GetGrain<IBenchDriverGrain>(1);
            Console.Error.WriteLine("bench transport: grain calls between silos, 1 caller");
            var sequential = await driver.Run(1, duration.TotalSeconds, warmup.TotalSeconds).ConfigureAwait(false);
            Console.Error.WriteLine($"bench transport: grain calls between silos, {ConcurrentCallers} callers");
            var concurrent = await driver.Run(ConcurrentCallers, duration.TotalSeconds, warmup.TotalSeconds).ConfigureAwait(false);
            return (BenchCase.From(sequential), BenchCase.From(concurrent));
        }
        finally
        {
            await ClusterLauncher.StopAsync(state, TimeSpan.FromSeconds(60), Console.Error).ConfigureAwait(false);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(state.Directory, recursive: true);
        }
    }

    private static void WriteTable(BenchTransportReport report)
    {
        var table = new Table().AddColumns("Case", "Callers", "Calls/s", "p50 (us)", "p99 (us)");
        void Row(string name, BenchCase c) => table.AddRow(name, c.Callers.ToString(System.Globalization.CultureInfo.InvariantCulture), c.CallsPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            c.P50Microseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture), c.P99Microseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        Row("floor (raw TCP echo)", report.FloorSequential);
        Row("floor (raw TCP echo)", report.FloorConcurrent);
        Row("grain calls between silos", report.GrainSequential);
        Row("grain calls between silos", report.GrainConcurrent);
        AnsiConsole.Write(table);
        Console.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"throughput ratio ({ConcurrentCallers} callers): {report.ConcurrentThroughputRatio:F2} (goal >= 0.5); sequential p50 ratio: {report.SequentialP50Ratio:F2} (goal <= 2)"));
    }
}

/// <summary>One measured case (snake_case in JSON, like the other bench commands).</summary>
public sealed record BenchCase(
    [property: JsonPropertyName("callers")] int Callers,
    [property: JsonPropertyName("calls")] long Calls,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("calls_per_s")] double CallsPerSecond,
    [property: JsonPropertyName("p50_us")] double P50Microseconds,
    [property: JsonPropertyName("p99_us")] double P99Microseconds)
{
    public static BenchCase From(RawEchoBenchmarkResult r) => new(r.Callers, r.Calls, r.Duration.TotalSeconds, r.CallsPerSecond, r.P50Microseconds, r.P99Microseconds);

    public static BenchCase From(BenchLoadResult r) => new(r.Callers, r.Calls, r.Seconds, r.CallsPerSecond, r.P50Microseconds, r.P99Microseconds);
}

/// <summary>What <c>bench transport</c> writes: both floors, both grain cases, and the two ratios the goals are stated in.</summary>
public sealed record BenchTransportReport(
    [property: JsonPropertyName("processor_count")] int ProcessorCount,
    [property: JsonPropertyName("duration_s")] double DurationSeconds,
    [property: JsonPropertyName("floor_sequential")] BenchCase FloorSequential,
    [property: JsonPropertyName("floor_concurrent")] BenchCase FloorConcurrent,
    [property: JsonPropertyName("grain_sequential")] BenchCase GrainSequential,
    [property: JsonPropertyName("grain_concurrent")] BenchCase GrainConcurrent,
    [property: JsonPropertyName("concurrent_throughput_ratio")] double ConcurrentThroughputRatio,
    [property: JsonPropertyName("sequential_p50_ratio")] double SequentialP50Ratio)
{
    /// <summary>How the report is written to <c>--json</c>.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    [JsonPropertyName("throughput_goal_met")]
    public bool ThroughputGoalMet => ConcurrentThroughputRatio >= 0.5;

    [JsonPropertyName("latency_goal_met")]
    public bool LatencyGoalMet => SequentialP50Ratio <= 2.0;
}
