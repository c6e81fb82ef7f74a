using MigrationCluster.Hosting;

namespace MigrationCluster.Experiments.Machines;

/// <summary>
/// The machines shipped with the tool (embedded machine files, docs/machines.md cites every
/// number), and <see cref="Resolve"/>, which takes a preset's name or a machine file's path.
/// </summary>
public static class MachinePresets
{
    public const string XeonE52640V3 = "xeon-e5-2640v3-2s";
    public const string EpycZen3 = "epyc-zen3-2s";
    public const string CxlExpander = "spr-cxl-expander";

    public static IReadOnlyList<string> Names { get; } = [XeonE52640V3, EpycZen3, CxlExpander];

    /// <summary>A preset by name.</summary>
    public static LoadedMachine Get(string name)
    {
        if (!Names.Contains(name))
        {
            throw new UsageException($"--machine: no preset '{name}' (presets: {string.Join(", ", Names)}) and no such file");
        }
        var resource = $"MigrationCluster.Experiments.Machines.Presets.{name}.yaml";
        using var stream = typeof(MachinePresets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the preset {name} is not embedded ({resource})");
        using var reader = new StreamReader(stream);
        return MachineFile.Parse($"preset {name}", reader.ReadToEnd());
    }

    /// <summary><c>--machine NAME|FILE</c>: a preset's name, else a path to a machine file.</summary>
    public static LoadedMachine Resolve(string nameOrFile)
    {
        ArgumentNullException.ThrowIfNull(nameOrFile);
        return FileOf(nameOrFile) is { } file ? MachineFile.Load(file) : Get(nameOrFile);
    }

    /// <summary>
    /// The machine file <c>--machine</c> names, or null for a preset's name: an input the
    /// command's outputs may not overwrite (<c>--json</c> equal to the machine file).
    /// </summary>
    public static string? FileOf(string? nameOrFile) =>
        nameOrFile is null || Names.Contains(nameOrFile) || !(File.Exists(nameOrFile) || nameOrFile.Contains('/', StringComparison.Ordinal) || nameOrFile.EndsWith(".yaml", StringComparison.Ordinal) || nameOrFile.EndsWith(".yml", StringComparison.Ordinal))
            ? null
            : nameOrFile;
}
