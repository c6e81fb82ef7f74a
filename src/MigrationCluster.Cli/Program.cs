using System.CommandLine;
using MigrationCluster.Cli.Commands;

namespace MigrationCluster.Cli;

public static class Program
{
    public static int Main(string[] args) => CommandRunner.Run(CreateRootCommand(), args);

    /// <summary>The whole command tree (tests walk it to check every option's errors).</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("MigrationCluster: a simulation of NUMA page migration on Microsoft Orleans.");
        // One line per command; each lives in Commands/<Name>Command.cs.
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ExperimentCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(CalibrateCommand.Create());
        root.Subcommands.Add(TopologyCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(ScenarioCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(DashboardCommand.Create());
        return root;
    }
}
