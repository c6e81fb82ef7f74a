using System.Net;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Tests.Networking;

public sealed class RawEchoTests
{
    [Fact]
    public async Task Every_concurrent_caller_gets_its_own_payload_back()
    {
        await using var server = RawEchoServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = await RawEchoClient.ConnectAsync(server.LocalEndPoint);
        const int callers = 64;
        const int calls = 200;

        var results = await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var mismatches = 0;
            for (var call = 0; call < calls; call++)
            {
                var payload = System.Text.Encoding.UTF8.GetBytes($"caller {caller} call {call} " + new string('x', call % 97));
                var reply = await client.CallAsync(payload);
                mismatches += reply.AsSpan().SequenceEqual(payload) ? 0 : 1;
            }

            return mismatches;
        }))).WaitAsync(NetworkTestSetup.Patience);

        Assert.All(results, mismatches => Assert.Equal(0, mismatches));
    }

    [Fact]
    public async Task Pending_calls_fail_when_the_server_goes_away()
    {
        var server = RawEchoServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = await RawEchoClient.ConnectAsync(server.LocalEndPoint);
        Assert.Equal([1, 2, 3], await client.CallAsync([1, 2, 3]));

        await server.DisposeAsync();

        await Assert.ThrowsAsync<ConnectionClosedException>(async () =>
        {
            // The first calls may still be in flight when the close is noticed; keep calling until one fails.
            while (true)
            {
                await client.CallAsync([4]).WaitAsync(NetworkTestSetup.Patience);
            }
        });
    }

    [Fact]
    public async Task The_server_entry_for_another_process_serves_until_cancelled()
    {
        using var stop = new CancellationTokenSource();
        var listening = new TaskCompletionSource<IPEndPoint>();
        var serving = RawEchoServer.RunAsync(new IPEndPoint(IPAddress.Loopback, 0), e => listening.SetResult(e), stop.Token);
        var endpoint = await listening.Task.WaitAsync(NetworkTestSetup.Patience);

        await using (var client = await RawEchoClient.ConnectAsync(endpoint))
        {
            Assert.Equal([9, 8, 7], await client.CallAsync([9, 8, 7]));
        }

        await stop.CancelAsync();
        await serving.WaitAsync(NetworkTestSetup.Patience);
        Assert.True(serving.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task The_benchmark_driver_reports_what_it_measured()
    {
        await using var server = RawEchoServer.Start(new IPEndPoint(IPAddress.Loopback, 0));

        var result = await RawEchoBenchmark.MeasureAsync(server.LocalEndPoint, callers: 4, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50));

        Assert.Equal(4, result.Callers);
        Assert.True(result.Calls > 0);
        Assert.True(result.P99Microseconds >= result.P50Microseconds);
        Assert.Equal(result.Calls / result.Duration.TotalSeconds, result.CallsPerSecond, 6);
    }
}
