using System.Collections.Frozen;

namespace MigrationCluster.Dashboard;

/// <summary>
/// The machine page's files (plain HTML, CSS and JavaScript in <c>Dashboard/wwwroot</c>, embedded
/// in the command): the page needs nothing from the network.
/// </summary>
public static class MachinePageAssets
{
    private const string ResourcePrefix = "MigrationCluster.Dashboard.wwwroot.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, Asset>> All = new(Load);

    /// <summary>Every file by name (<c>index.html</c>, <c>machine.js</c>, ...).</summary>
    public static IReadOnlyDictionary<string, Asset> Files => All.Value;

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(MachinePageAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            files[name] = new Asset(name, ContentTypes.GetValueOrDefault(Path.GetExtension(name), "application/octet-stream"), buffer.ToArray());
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public sealed record Asset(string Name, string ContentType, byte[] Content);
}
