using System.Collections.Concurrent;
using MigrationCluster.Runtime.Cluster;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// This silo's side of the membership protocol (Orleans' design): join by writing its row
/// (Joining, then Active) with compare-and-swap; read the table periodically and when told it
/// changed; heartbeat (IAmAlive); probe every other active silo, and after too many missed probes
/// write a suspicion vote, declaring the silo Dead once enough distinct silos voted. A silo that
/// reads itself Dead stops. Every status change goes through the table, so all silos converge on
/// the same view.
/// </summary>
internal sealed class MembershipAgent : IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly ClusterMembershipOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<SiloAddress, TimeSpan, CancellationToken, Task> _probe;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _refreshNow = new(0, 1);
    private readonly ConcurrentDictionary<SiloAddress, int> _missedProbes = new();
    private readonly MembershipEntry _entry;
    private readonly List<Task> _loops = [];
    private int _stopped;
    private int _declaredDead;

    public MembershipAgent(
        IMembershipTable table,
        ClusterMembershipOptions options,
        SiloAddress self,
        string siloName,
        Func<SiloAddress, TimeSpan, CancellationToken, Task> probe,
        TimeProvider timeProvider,
        ILogger logger)
    {
        _table = table;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _probe = probe;
        Self = self;
        var now = timeProvider.GetUtcNow();
        _entry = new MembershipEntry
        {
            SiloAddress = self,
            SiloName = siloName,
            HostName = Environment.MachineName,
            ProcessId = Environment.ProcessId,
            ProxyPort = self.Endpoint.Port,
            StartTime = now,
            IAmAliveTime = now,
            Status = SiloStatus.Joining,
        };
    }

    public SiloAddress Self { get; }

    public ClusterView View { get; private set; } = ClusterView.Empty;

    /// <summary>Raised (on the agent's loop) with every new view.</summary>
    public event Action<ClusterView>? ViewChanged;

    /// <summary>Raised once when this silo reads itself Dead: it must stop serving.</summary>
    public event Action? DeclaredDead;

    /// <summary>Raised after this silo changed the table, so the others can be told to read it now.</summary>
    public event Action? TableWritten;

    /// <summary>Writes this silo's row (Joining, then Active), starts the loops, and returns once it is Active.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.JoinTimeout);
        try
        {
            await _table.InitializeMembershipTable(true).WaitAsync(timeout.Token).ConfigureAwait(false);
            while (true)
            {
                var data = await _table.ReadAll().WaitAsync(timeout.Token).ConfigureAwait(false);
                if (await _table.InsertRow(_entry.Clone(), data.Version.Next()).ConfigureAwait(false))
                {
                    break;
                }
                await BackOffAsync(timeout.Token).ConfigureAwait(false);
            }
            _logger.LogInformation("Silo {Silo} wrote its row as Joining", Self);
            await DeclareOlderGenerationsDeadAsync(timeout.Token).ConfigureAwait(false);
            await WriteOwnStatusAsync(SiloStatus.Active, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Silo {Self} did not become Active within {_options.JoinTimeout}.");
        }
        await RefreshAsync().ConfigureAwait(false);
        _logger.LogInformation("Silo {Silo} is Active; view {View}", Self, View);
        _loops.Add(Task.Run(RefreshLoopAsync));
        _loops.Add(Task.Run(ProbeLoopAsync));
        _loops.Add(Task.Run(IAmAliveLoopAsync));
        if (_options.DefunctSiloCleanupPeriod is { } cleanupPeriod)
        {
            _loops.Add(Task.Run(() => DefunctCleanupLoopAsync(cleanupPeriod)));
        }
    }

    /// <summary>Another silo changed the table: read it now.</summary>
    public void RequestRefresh()
    {
        if (_refreshNow.CurrentCount == 0)
        {
            try
            {
                _refreshNow.Release();
            }
            catch (SemaphoreFullException)
            {
                // Someone else asked first: one refresh serves both.
            }
        }
    }

    /// <summary>Graceful leave, step one: ShuttingDown (others stop placing grains here).</summary>
    public Task BeginShutdownAsync(CancellationToken cancellationToken) => WriteOwnStatusAsync(SiloStatus.ShuttingDown, cancellationToken);

    /// <summary>Graceful leave, last step: Dead, then the loops stop.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        await StopLoopsAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _declaredDead) == 0)
        {
            await WriteOwnStatusAsync(SiloStatus.Dead, cancellationToken).ConfigureAwait(false);
        }
        _logger.LogInformation("Silo {Silo} left the cluster", Self);
    }

    /// <summary>Stops probing and heartbeats without touching the table (a crash, as far as the others can tell).</summary>
    public Task StopLoopsAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return Task.WhenAll(_loops);
        }
        _stopping.Cancel();
        return Task.WhenAll(_loops);
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _refreshNow.Dispose();
    }

    private async Task RefreshLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _refreshNow.WaitAsync(_options.TableRefreshTimeout, token).ConfigureAwait(false);
                await RefreshAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _logger.LogWarning("Reading the membership table failed: {Reason}", exception.Message);
            }
        }
    }

    private async Task RefreshAsync()
    {
        var data = await _table.ReadAll().ConfigureAwait(false);
        var statuses = new Dictionary<SiloAddress, SiloStatus>();
        foreach (var (entry, _) in data.Members)
        {
            statuses[entry.SiloAddress] = entry.Status;
        }
        ClusterView? changed = null;
        lock (_entry)
        {
            if (data.Version.Version != View.Version || !SameStatuses(View.Statuses, statuses))
            {
                View = new ClusterView(statuses, data.Version.Version);
                changed = View;
            }
        }
        if (changed is not null)
        {
            foreach (var silo in _missedProbes.Keys.Where(s => changed.StatusOf(s) is not (SiloStatus.Active or SiloStatus.ShuttingDown)))
            {
                _missedProbes.TryRemove(silo, out _);
            }
            _logger.LogDebug("Silo {Silo} sees membership {View}", Self, changed);
            ViewChanged?.Invoke(changed);
        }
        if (statuses.TryGetValue(Self, out var own) && own == SiloStatus.Dead && Volatile.Read(ref _stopped) == 0
            && Interlocked.Exchange(ref _declaredDead, 1) == 0)
        {
            _logger.LogError("Silo {Silo} reads itself Dead in the membership table: stopping", Self);
            DeclaredDead?.Invoke();
        }
    }

    private static bool SameStatuses(IReadOnlyDictionary<SiloAddress, SiloStatus> a, Dictionary<SiloAddress, SiloStatus> b) =>
        a.Count == b.Count && b.All(kv => a.TryGetValue(kv.Key, out var s) && s == kv.Value);

    /// <summary>The heartbeat: this silo's IAmAlive time, written every IAmAliveTablePublishTimeout.</summary>
    private Task IAmAliveLoopAsync() => RunEveryAsync(_options.IAmAliveTablePublishTimeout, "Writing IAmAlive", async () =>
    {
        MembershipEntry snapshot;
        lock (_entry)
        {
            _entry.IAmAliveTime = _timeProvider.GetUtcNow();
            snapshot = _entry.Clone();
        }
        await _table.UpdateIAmAlive(snapshot).ConfigureAwait(false);
    });

    /// <summary>Deletes the rows of silos long gone (Orleans' defunct-silo cleanup): every silo does it, the table's CAS keeps it safe.</summary>
    private Task DefunctCleanupLoopAsync(TimeSpan period) => RunEveryAsync(period, "Cleaning up defunct silo rows", async () =>
    {
        var before = _timeProvider.GetUtcNow() - _options.DefunctSiloExpiration;
        await _table.CleanupDefunctSiloEntries(before).ConfigureAwait(false);
        _logger.LogDebug("Deleted the rows of silos not Active and silent since {Before}", before);
    });

    /// <summary>Runs <paramref name="work"/> every <paramref name="period"/> until the agent stops; a failure is logged and the next period tries again.</summary>
    private async Task RunEveryAsync(TimeSpan period, string what, Func<Task> work)
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _timeProvider, token).ConfigureAwait(false);
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _logger.LogWarning("{What} failed: {Reason}", what, exception.Message);
            }
        }
    }

    private async Task ProbeLoopAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ProbeTimeout, _timeProvider, token).ConfigureAwait(false);
                // Shutting-down silos are probed too: one that hangs while leaving must still be declared dead.
                var targets = View.Statuses.Where(s => s.Value is SiloStatus.Active or SiloStatus.ShuttingDown && !s.Key.Equals(Self)).Select(s => s.Key).ToList();
                await Task.WhenAll(targets.Select(s => ProbeOneAsync(s, token))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                _logger.LogWarning("Probe round failed: {Reason}", exception.Message);
            }
        }
    }

    private async Task ProbeOneAsync(SiloAddress silo, CancellationToken token)
    {
        try
        {
            await _probe(silo, _options.ProbeTimeout, token).ConfigureAwait(false);
            _missedProbes[silo] = 0;
            return;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            var missed = _missedProbes.AddOrUpdate(silo, 1, (_, n) => n + 1);
            _logger.LogInformation("Probe {Missed}/{Limit} of {Silo} missed: {Reason}", missed, _options.NumMissedProbesLimit, silo, exception.Message);
            if (missed >= _options.NumMissedProbesLimit)
            {
                await VoteDeadAsync(silo, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds this silo's suspicion vote to <paramref name="suspect"/>'s row; with enough fresh votes, declares it Dead.</summary>
    private async Task VoteDeadAsync(SiloAddress suspect, CancellationToken token)
    {
        for (var attempt = 0; attempt < 10 && !token.IsCancellationRequested; attempt++)
        {
            var data = await _table.ReadAll().ConfigureAwait(false);
            if (data.TryGet(suspect) is not { } row || row.Entry.Status == SiloStatus.Dead)
            {
                return;
            }
            if (data.TryGet(Self) is { } own && own.Entry.Status == SiloStatus.Dead)
            {
                return;
            }
            var now = _timeProvider.GetUtcNow();
            var entry = row.Entry.Clone();
            var votes = entry.SuspectTimes
                .Where(v => now - v.Time < _options.DeathVoteExpirationTimeout && !v.Suspecter.Equals(Self))
                .Append(new SuspectTime(Self, now))
                .ToList();
            var voters = data.Members.Count(m => m.Entry.Status == SiloStatus.Active && !m.Entry.SiloAddress.Equals(suspect));
            var needed = Math.Max(1, Math.Min(_options.NumVotesForDeathDeclaration, voters));
            var distinct = votes.Select(v => v.Suspecter).Distinct().Count();
            entry.SuspectTimes = votes;
            if (distinct >= needed)
            {
                entry.Status = SiloStatus.Dead;
            }
            if (await _table.UpdateRow(entry, row.ETag, data.Version.Next()).ConfigureAwait(false))
            {
                if (entry.Status == SiloStatus.Dead)
                {
                    _logger.LogWarning("Silo {Silo} declared {Suspect} Dead ({Votes} of {Needed} votes)", Self, suspect, distinct, needed);
                }
                else
                {
                    _logger.LogInformation("Silo {Silo} voted {Suspect} dead ({Votes} of {Needed} votes)", Self, suspect, distinct, needed);
                }
                TableWritten?.Invoke();
                RequestRefresh();
                return;
            }
            await BackOffAsync(token).ConfigureAwait(false);
        }
    }

    /// <summary>A restart on the same endpoint is a new generation; an older generation still marked alive is dead by definition.</summary>
    private async Task DeclareOlderGenerationsDeadAsync(CancellationToken token)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var data = await _table.ReadAll().WaitAsync(token).ConfigureAwait(false);
            var stale = data.Members.FirstOrDefault(m => m.Entry.SiloAddress.Endpoint.Equals(Self.Endpoint)
                && m.Entry.SiloAddress.Generation < Self.Generation && m.Entry.Status != SiloStatus.Dead);
            if (stale.Entry is null)
            {
                return;
            }
            var entry = stale.Entry.Clone();
            entry.Status = SiloStatus.Dead;
            if (await _table.UpdateRow(entry, stale.ETag, data.Version.Next()).ConfigureAwait(false))
            {
                _logger.LogInformation("Silo {Silo} declared its older generation {Old} Dead", Self, entry.SiloAddress);
                attempt = -1;
                continue;
            }
            await BackOffAsync(token).ConfigureAwait(false);
        }
    }

    private async Task WriteOwnStatusAsync(SiloStatus status, CancellationToken token)
    {
        while (true)
        {
            var data = await _table.ReadRow(Self).WaitAsync(token).ConfigureAwait(false);
            if (data.TryGet(Self) is not { } row)
            {
                throw new InvalidOperationException($"Silo {Self} has no row in the membership table.");
            }
            if (row.Entry.Status == SiloStatus.Dead && status != SiloStatus.Dead)
            {
                throw new InvalidOperationException($"Silo {Self} was declared Dead; a dead silo never becomes {status} again.");
            }
            var entry = row.Entry.Clone();
            entry.Status = status;
            entry.IAmAliveTime = _timeProvider.GetUtcNow();
            if (await _table.UpdateRow(entry, row.ETag, data.Version.Next()).ConfigureAwait(false))
            {
                lock (_entry)
                {
                    _entry.Status = status;
                }
                _logger.LogInformation("Silo {Silo} is now {Status}", Self, status);
                TableWritten?.Invoke();
                return;
            }
            await BackOffAsync(token).ConfigureAwait(false);
        }
    }

    // Writers racing on the table version: a short random pause so they do not collide again.
    private Task BackOffAsync(CancellationToken token) =>
        Task.Delay(TimeSpan.FromMilliseconds(5 + Random.Shared.Next(20)), _timeProvider, token);
}
