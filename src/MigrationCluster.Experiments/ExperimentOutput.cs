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
