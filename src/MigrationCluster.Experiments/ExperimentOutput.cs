using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Io;

namespace MigrationCluster.Experiments;

/// <summary>
/// The output directory: results.csv and results.json (rewritten after every point, so a sweep
/// that dies still leaves what it did), plots/ and report.html at the end.
/// </summary>
public sealed class ExperimentOutput
{
    private readonly ExperimentOptions _options;

    public ExperimentOutput(ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        Directory = options.OutputDirectory;
        System.IO.Directory.CreateDirectory(Directory);
        Commit = SourceRevision.Commit();
        Dirty = SourceRevision.Dirty();
    }

    /// <summary>
    /// The output directory before any point runs: an earlier sweep's results are not replaced
    /// without --force, and each file the sweep writes must be writable (results.csv being a
    /// directory is found now, not after the sweep).
    /// </summary>
    public static void CheckDirectory(ExperimentOptions options, bool force)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] files = [ResultsCsvWriter.FileName, ResultsJsonWriter.FileName, ExperimentReportHtml.FileName];
        var earlier = files.Append(ExperimentPlots.DirectoryName)
            .Where(name => Path.Exists(Path.Combine(options.OutputDirectory, name)))
            .ToList();
        if (earlier.Count > 0 && !force)
        {
            throw new UsageException($"--out '{options.OutputDirectory}' holds an earlier sweep's results ({string.Join(", ", earlier)}): give another directory, or --force to replace them");
        }
        var paths = new PathRoles().Input("--topology", options.Topology.FilePath).Input("--machine", options.Machine?.FilePath);
        foreach (var name in files)
        {
            paths.Output($"--out ({name})", Path.Combine(options.OutputDirectory, name));
        }
        paths.Check();
        var plots = Path.Combine(options.OutputDirectory, ExperimentPlots.DirectoryName);
        if (File.Exists(plots))
        {
            throw new UsageException($"--out: '{plots}' is a file, not a directory for the plots");
        }
        OutputFile.CheckWritableDirectory(plots, "--out (plots)");
    }

    public string Directory { get; }

    public string Commit { get; }

    public bool? Dirty { get; }

    public string CsvPath => Path.Combine(Directory, ResultsCsvWriter.FileName);

    public string JsonPath => Path.Combine(Directory, ResultsJsonWriter.FileName);

    public string ReportPath => Path.Combine(Directory, ExperimentReportHtml.FileName);

    public string PlotsDirectory => Path.Combine(Directory, ExperimentPlots.DirectoryName);

    /// <summary>results.csv and results.json for the rows so far.</summary>
    public void WriteResults(ExperimentSweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        ResultsCsvWriter.Write(CsvPath, result.Rows);
        ResultsJsonWriter.Write(JsonPath, _options, result, Commit, Dirty);
    }

    /// <summary>Everything: the results, the plots (PNG and SVG) and the report with the plots inline.</summary>
    public void WriteAll(ExperimentSweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        WriteResults(result);
        var plots = ExperimentPlots.Write(PlotsDirectory, result.Rows);
        ExperimentReportHtml.Write(ReportPath, _options, result, plots, Commit);
    }
}
