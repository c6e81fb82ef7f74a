using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MigrationCluster.Dashboard;
using MigrationCluster.Hosting.SiloProcess;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>dashboard</c>: a live view of a local cluster in the browser. A web application (Kestrel,
/// on 127.0.0.1 unless <c>--listen</c> says otherwise) that is an Orleans client of the cluster
/// (with its TLS certificate) and serves Orleans' own dashboard at <c>/dashboard/</c> and the NUMA
/// machine's page at <c>/</c>, until Ctrl+C. Exit codes: 0 stopped, 2 bad input (a port outside
/// 1..65535 or already in use, no cluster in the directory), 1 the cluster did not answer.
/// </summary>
public static class DashboardCommand
{
    public static Command Create()
    {
        var cluster = new Option<DirectoryInfo>("--cluster")
        {
            Description = $"The state directory of a cluster started with `cluster start` (default {LocalClusterState.DefaultDirectory}).",
            HelpName = "DIR",
            DefaultValueFactory = _ => new DirectoryInfo(LocalClusterState.DefaultDirectory),
        };
        var port = PortOption("--port", "The port to serve the pages on.");
        port.DefaultValueFactory = _ => DashboardServerOptions.DefaultPort;
        var listen = new Option<string>("--listen")
        {
            Description = "The address to listen on (e.g. 0.0.0.0 for every interface: the pages have no login).",
            HelpName = "ADDRESS",
            DefaultValueFactory = _ => DashboardServerOptions.DefaultListenAddress,
        };
        var jaeger = JaegerOption();

        var command = new Command("dashboard", "Serve a live view of a local cluster: the NUMA machine's page and Orleans' dashboard.")
        {
            cluster, port, listen, jaeger,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetRequiredValue(cluster).FullName;
            var options = new DashboardServerOptions
            {
                Port = parse.GetValue(port),
                ListenAddress = parse.GetValue(listen) ?? DashboardServerOptions.DefaultListenAddress,
                JaegerUrl = parse.GetValue(jaeger),
            };
            options.Validate();
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"--cluster: no such directory '{directory}' (start a cluster with 'migration-cluster cluster start --silos N --state-dir DIR')");
            }
            return Serve(options, DashboardConnection.ToLocalCluster(directory)).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>A TCP port option: a whole number from 1 to 65535, else a parse error (exit 2) saying so.</summary>
    public static Option<int> PortOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "PORT",
        CustomParser = result => ParsePort(result, name),
    };

    /// <summary><c>--jaeger URL</c>: the Jaeger UI each migrate_pages call links its trace to.</summary>
    public static Option<string?> JaegerOption() => new("--jaeger")
    {
        Description = "A Jaeger UI (e.g. http://127.0.0.1:16686): each migrate_pages call links to its trace there.",
        HelpName = "URL",
    };

    private static async Task<int> Serve(DashboardServerOptions options, DashboardConnection connection)
    {
        try
        {
            await using var server = await DashboardServer.StartAsync(options, connection);
            Console.WriteLine($"dashboard of {connection.Description}: {server.Address} (Orleans' dashboard: {server.OrleansDashboardAddress}); Ctrl+C to stop");
            await server.WaitForStopSignalAsync();
            return ExitCodes.Success;
        }
        catch (ClusterCommandException exception)
        {
            return CommandRunner.Fail(ExitCodes.Failure, exception.Message);
        }
    }

    private static int ParsePort(ArgumentResult result, string option)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
        {
            result.AddError($"{option} must be a TCP port, a whole number from 1 to 65535 (was '{text}').");
            return 0;
        }
        return value;
    }
}
