namespace MigrationCluster.Experiments;

/// <summary>A rendered plot: its file name stem (plots/NAME.png and .svg), title, caption and SVG markup.</summary>
public sealed record ExperimentPlot(string Name, string Title, string Caption, string Svg);
