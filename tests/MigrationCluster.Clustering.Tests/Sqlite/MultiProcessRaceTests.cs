using System.Diagnostics;
using System.Globalization;
using Orleans.Runtime;
using static MigrationCluster.Clustering.Tests.MembershipEntries;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// Separate processes (this test assembly run as <see cref="RaceWorker"/>) doing compare-and-swap
/// on one row of one file at the same moment: the guarantee a membership file exists for.
/// </summary>
public sealed class MultiProcessRaceTests : IDisposable
{
    private const int Processes = 4;
    private const int UpdatesPerProcess = 25;

    private readonly TempSqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task Processes_racing_UpdateRow_on_one_file_never_both_win_a_version_and_lose_no_update()
    {
        var clusterId = "race-" + Guid.NewGuid().ToString("N");
        var table = SqliteMembershipTableTests.CreateTable(_file.Path, clusterId);
        await table.InitializeMembershipTableAsync(true);
        var shared = New(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(shared, (await table.ReadAllAsync()).Version.Next()));
        var startVersion = (await table.ReadAllAsync()).Version.Version;

        var workers = Enumerable.Range(0, Processes).Select(i => new Worker(StartWorker(clusterId, shared.SiloAddress, 50000 + i))).ToArray();
        try
        {
            // Everyone opens the file and initializes first; then all start writing at one signal.
            foreach (var worker in workers)
            {
                if (!await worker.Ready.WaitAsync(TimeSpan.FromSeconds(30)))
                {
                    Assert.Fail(await worker.DescribeAsync());
                }
            }

            foreach (var worker in workers)
            {
                await worker.Process.StandardInput.WriteLineAsync("go");
                await worker.Process.StandardInput.FlushAsync();
            }

            foreach (var worker in workers)
            {
                await worker.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                if (worker.Process.ExitCode != 0)
                {
                    Assert.Fail(await worker.DescribeAsync());
                }
            }

            var won = (await Task.WhenAll(workers.Select(w => w.OutputAsync())))
                .SelectMany(lines => lines)
                .Where(line => line.StartsWith("won ", StringComparison.Ordinal))
                .Select(line => int.Parse(line[4..], CultureInfo.InvariantCulture));
            const int total = Processes * UpdatesPerProcess;
            Assert.Equal(Enumerable.Range(startVersion + 1, total), won.Order());

            var final = await table.ReadRowAsync(shared.SiloAddress);
            Assert.Equal(startVersion + total, final.Version.Version);
            var votes = final.Members[0].Item1.SuspectTimes!;
            Assert.Equal(total, votes.Count);
            Assert.Equal(Processes, votes.Select(v => v.Item1.Endpoint.Port).Distinct().Count());
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    private Process StartWorker(string clusterId, SiloAddress silo, int voterPort)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            typeof(RaceWorker).Assembly.Location, RaceWorker.Command, _file.Path, clusterId, silo.ToParsableString(),
            voterPort.ToString(CultureInfo.InvariantCulture), UpdatesPerProcess.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start a race worker");
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    /// <summary>A running worker: its stdout and stderr drained as they come, "ready" signalled.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task<List<string>> _output;
        private readonly Task<string> _errors;

        public Worker(Process process)
        {
            Process = process;
            _output = DrainAsync();
            _errors = process.StandardError.ReadToEndAsync();
        }

        public Process Process { get; }

        public Task<bool> Ready => _ready.Task;

        public Task<List<string>> OutputAsync() => _output;

        public async Task<string> DescribeAsync()
        {
            var exited = Process.HasExited ? $"exited with {Process.ExitCode}" : "still running";
            var errors = await Task.WhenAny(_errors, Task.Delay(TimeSpan.FromSeconds(5))) == _errors ? await _errors : "";
            return $"worker {Process.Id} {exited}; stderr: {errors}";
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }

        private async Task<List<string>> DrainAsync()
        {
            var lines = new List<string>();
            while (await Process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line == "ready")
                {
                    _ready.TrySetResult(true);
                }
            }

            _ready.TrySetResult(false);
            return lines;
        }
    }
}
