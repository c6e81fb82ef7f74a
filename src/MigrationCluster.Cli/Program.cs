using System.CommandLine;
using System.CommandLine.Help;
using MigrationCluster.Cli.Commands;

namespace MigrationCluster.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("MigrationCluster: a simulation of NUMA page migration on a virtual-actor runtime.");
        root.Subcommands.Add(ClusterCommand.Create());
        var bench = new Command("bench", "Measure performance.");
        bench.Subcommands.Add(BenchTransportCommand.Create());
        root.Subcommands.Add(bench);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            Console.Error.WriteLine($"migration-cluster: {parsed.Errors[0].Message}");
            return 2;
        }
        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
