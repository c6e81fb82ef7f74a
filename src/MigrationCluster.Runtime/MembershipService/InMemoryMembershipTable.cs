using System.Globalization;

namespace MigrationCluster.Runtime.MembershipService;

/// <summary>
/// A membership table in process memory, for silos in one process (tests, the embedded
/// cluster). Thread-safe: one lock per store makes every compare-and-swap atomic.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable
{
    private readonly InMemoryMembershipStore _store;
    private readonly string _clusterId;

    public InMemoryMembershipTable(InMemoryMembershipTableOptions options, InMemoryMembershipStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _clusterId = options.ClusterId;
        _store = store ?? new InMemoryMembershipStore();
    }

    public Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        if (tryInitTableVersion)
        {
            lock (_store.Gate)
            {
                if (!_store.Clusters.ContainsKey(_clusterId))
                {
                    _store.Clusters[_clusterId] = new InMemoryMembershipStore.ClusterRows();
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<MembershipTableData> ReadAll()
    {
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            var members = cluster.Rows.Values
                .Select(row => (row.Entry.Clone(), FormatETag(row.ETag)))
                .ToList();
            return Task.FromResult(new MembershipTableData(members, VersionOf(cluster)));
        }
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            List<(MembershipEntry, string)> members = [];
            if (cluster.Rows.TryGetValue(key, out var row))
            {
                members.Add((row.Entry.Clone(), FormatETag(row.ETag)));
            }

            return Task.FromResult(new MembershipTableData(members, VersionOf(cluster)));
        }
    }

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            if (!IsNextVersion(cluster, tableVersion) || cluster.Rows.ContainsKey(entry.SiloAddress))
            {
                return Task.FromResult(false);
            }

            cluster.Rows[entry.SiloAddress] = (entry.Clone(), 0);
            cluster.Version = tableVersion.Version;
            return Task.FromResult(true);
        }
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            if (!IsNextVersion(cluster, tableVersion)
                || !cluster.Rows.TryGetValue(entry.SiloAddress, out var row)
                || FormatETag(row.ETag) != etag)
            {
                return Task.FromResult(false);
            }

            cluster.Rows[entry.SiloAddress] = (entry.Clone(), row.ETag + 1);
            cluster.Version = tableVersion.Version;
            return Task.FromResult(true);
        }
    }

    public Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            if (!cluster.Rows.TryGetValue(entry.SiloAddress, out var row))
            {
                throw new InvalidOperationException($"Silo {entry.SiloAddress} has no row in the membership table of cluster '{_clusterId}'.");
            }

            row.Entry.IAmAliveTime = entry.IAmAliveTime;
            return Task.CompletedTask;
        }
    }

    public Task DeleteMembershipTableEntries(string clusterId)
    {
        ArgumentNullException.ThrowIfNull(clusterId);
        lock (_store.Gate)
        {
            _store.Clusters.Remove(clusterId);
        }

        return Task.CompletedTask;
    }

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        lock (_store.Gate)
        {
            var cluster = GetCluster();
            var defunct = cluster.Rows
                .Where(row => row.Value.Entry.Status != SiloStatus.Active && row.Value.Entry.IAmAliveTime < beforeDate)
                .Select(row => row.Key)
                .ToList();
            foreach (var silo in defunct)
            {
                cluster.Rows.Remove(silo);
            }

            if (defunct.Count > 0)
            {
                cluster.Version++;
            }
        }

        return Task.CompletedTask;
    }

    private InMemoryMembershipStore.ClusterRows GetCluster() =>
        _store.Clusters.TryGetValue(_clusterId, out var cluster)
            ? cluster
            : throw new InvalidOperationException(
                $"The membership table of cluster '{_clusterId}' has no version row: call InitializeMembershipTable(tryInitTableVersion: true) first.");

    private static bool IsNextVersion(InMemoryMembershipStore.ClusterRows cluster, TableVersion next) =>
        next.Version == cluster.Version + 1 && next.VersionEtag == FormatETag(cluster.Version);

    private static TableVersion VersionOf(InMemoryMembershipStore.ClusterRows cluster) =>
        new(cluster.Version, FormatETag(cluster.Version));

    private static string FormatETag(long value) => value.ToString(CultureInfo.InvariantCulture);
}
