using System.Text.Json;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>What a silo process publishes about itself every second, for <c>cluster status</c>.</summary>
public sealed record SiloStatusFile(string SiloName, string? Address, int ProcessId, string Status, int? Activations, DateTimeOffset Updated)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static SiloStatusFile? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<SiloStatusFile>(File.ReadAllText(path), Json) : null;
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            return null;
        }
    }
}
