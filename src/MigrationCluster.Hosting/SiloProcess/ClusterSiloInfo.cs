using System.Text.Json;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>One silo as <c>cluster status</c> shows it: its membership row joined with its status file.</summary>
public sealed record ClusterSiloInfo(string SiloName, string Address, string Status, int ProcessId, bool ProcessRunning, int? Activations)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
