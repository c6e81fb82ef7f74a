using MigrationCluster.Cli.Bench;

namespace MigrationCluster.Cli.Tests;

public sealed class CallLoadRunnerTests
{
    [Fact]
    public async Task Interleaved_cases_alternate_and_each_holds_its_setting_only_during_its_own_slices()
    {
        var order = new List<string>();
        var hookActive = 0;
        var callsInsideHook = new long[2];
        var callsOutsideHook = new long[2];
        Func<int, Task<int>> Target(int caseIndex) => value =>
        {
            if (Volatile.Read(ref hookActive) == 1)
            {
                Interlocked.Increment(ref callsInsideHook[caseIndex]);
            }
            else
            {
                Interlocked.Increment(ref callsOutsideHook[caseIndex]);
            }
            return Task.FromResult(value + 1);
        };
        IDisposable Hook()
        {
            lock (order)
            {
                order.Add("B");
            }
            Volatile.Write(ref hookActive, 1);
            return new Release(() => Volatile.Write(ref hookActive, 0));
        }
        IDisposable? Plain()
        {
            lock (order)
            {
                order.Add("A");
            }
            return null;
        }

        var results = await CallLoadRunner.RunInterleavedAsync(
            [new LoadCase([[Target(0)]], Plain), new LoadCase([[Target(1)]], Hook)],
            TimeSpan.FromMilliseconds(20),
            TimeSpan.FromMilliseconds(300),
            rounds: 3);

        // A B, then B A, then A B: no case always follows the same neighbour.
        Assert.Equal(["A", "B", "B", "A", "A", "B"], order);
        Assert.Equal(2, results.Length);
        Assert.All(results, r => Assert.True(r.Calls > 0 && r.CallsPerSecond > 0 && r.P99Microseconds >= r.P50Microseconds));
        // Every call of the hooked case ran with its hook in place, and none of the other case's.
        Assert.Equal(0, callsOutsideHook[1]);
        Assert.Equal(0, callsInsideHook[0]);
        // Counted calls are measured ones only: warm-up calls happen too, so the totals are at least those.
        Assert.True(callsInsideHook[1] >= results[1].Calls);
        Assert.True(callsOutsideHook[0] >= results[0].Calls);
    }

    private sealed class Release(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
