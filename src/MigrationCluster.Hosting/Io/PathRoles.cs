namespace MigrationCluster.Hosting.Io;

/// <summary>
/// The files one command reads and writes, by the option that names each: an output may not be
/// one of the inputs (a scenario overwritten by its own result) nor another output (two writers
/// interleaving into one invalid file).
/// </summary>
public sealed class PathRoles
{
    private readonly List<(string What, string Given, string Full)> _inputs = [];
    private readonly List<(string What, string Given, string Full)> _outputs = [];

    public PathRoles Input(string what, string? path)
    {
        if (path is not null)
        {
            _inputs.Add((what, path, Canonical(path)));
        }
        return this;
    }

    public PathRoles Output(string what, string? path)
    {
        if (path is not null)
        {
            _outputs.Add((what, path, Canonical(path)));
        }
        return this;
    }

    /// <summary>Refuses overlaps, then checks that every output can be written.</summary>
    public void Check()
    {
        for (int i = 0; i < _outputs.Count; i++)
        {
            var output = _outputs[i];
            foreach (var input in _inputs)
            {
                if (SamePath(input.Full, output.Full))
                {
                    throw new UnusablePathException($"{output.What} '{output.Given}' is the {input.What} file: writing it would overwrite the input");
                }
            }
            for (int j = 0; j < i; j++)
            {
                if (SamePath(_outputs[j].Full, output.Full))
                {
                    throw new UnusablePathException($"{output.What} '{output.Given}' is also the {_outputs[j].What} file: give each output its own path");
                }
            }
        }
        foreach (var output in _outputs)
        {
            OutputFile.CheckWritable(output.Given, output.What);
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path with links resolved as far as the path exists ("./s.yaml" and a link to it are one file).</summary>
    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target)
            {
                return Path.GetFullPath(target.FullName);
            }
            var directory = Path.GetDirectoryName(full);
            if (directory is not null && Directory.ResolveLinkTarget(directory, returnFinalTarget: true) is { } linkedDirectory)
            {
                return Path.Combine(Path.GetFullPath(linkedDirectory.FullName), Path.GetFileName(full));
            }
        }
        catch (IOException)
        {
            // A link loop or an unreadable link: the path as given is what gets compared.
        }
        return full;
    }
}
