using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Net.Sockets;
using System.Text.Json;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.Clustering.Postgres;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Hosting.SiloProcess;
using Npgsql;
using Spectre.Console;
using MigrationCluster.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>
/// <c>cluster start|status|stop</c>: a local cluster of silo processes on loopback sharing a state
/// directory (its SQLite membership table, pid, status and log files). <c>cluster init-db</c>
/// prepares a PostgreSQL database for silos on many machines. Exit codes: 0 done, 1 failed, 2 bad input.
/// The hidden <c>cluster silo</c> runs one silo in this process (what <c>start</c> launches).
/// </summary>
public static class ClusterCommand
{
    public const int MaxSilos = 32;

    public static Command Create()
    {
        var cluster = new Command("cluster", "Start, inspect and stop a local cluster of silo processes.");
        cluster.Subcommands.Add(CreateStart());
        cluster.Subcommands.Add(CreateStatus());
        cluster.Subcommands.Add(CreateStop());
        cluster.Subcommands.Add(CreateInitDb());
        cluster.Subcommands.Add(CreateSilo());
        cluster.Subcommands.Add(CreateCertificate());
        return cluster;
    }

    private static Option<DirectoryInfo> StateDirOption() => new("--state-dir")
    {
        Description = $"The cluster's state directory (default {LocalClusterState.DefaultDirectory}).",
        HelpName = "DIR",
        DefaultValueFactory = _ => new DirectoryInfo(LocalClusterState.DefaultDirectory),
    };

    private static Option<int> TimeoutOption(string description) => new("--timeout")
    {
        Description = description,
        HelpName = "SECONDS",
        DefaultValueFactory = _ => 60,
        CustomParser = r => ParseInRange(r, "--timeout", 1, 3600),
    };

    /// <summary>An integer in range, or a parse error (exit 2) that says what was wrong.</summary>
    private static int ParseInRange(System.CommandLine.Parsing.ArgumentResult result, string option, int min, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            result.AddError($"{option} must be a whole number from {min} to {max} (was '{text}').");
            return 0;
        }
        return value;
    }

    private static Command CreateStart()
    {
        var silos = new Option<int>("--silos")
        {
            Description = $"How many silos (1 to {MaxSilos}).",
            HelpName = "N",
            Required = true,
            CustomParser = r => ParseInRange(r, "--silos", 1, MaxSilos),
        };
        var stateDir = StateDirOption();
        var timeout = TimeoutOption("Seconds to wait for every silo to be Active.");
        var command = new Command("start", "Start N silo processes on loopback and wait until all are Active.") { silos, stateDir, timeout };
        command.SetAction(parse => Guard(() =>
        {
            var state = new LocalClusterState(parse.GetRequiredValue(stateDir).FullName);
            OutputFile.CheckWritableDirectory(state.Directory, "--state-dir");
            CheckCertificate(state.CertificateFile);
            using var exclusive = Lock(state, "start");
            using var interrupt = InterruptSignals.Notify($"silos started so far keep running ('migration-cluster cluster stop --state-dir {state.Directory}' ends them)");
            var result = ClusterLauncher.StartAsync(state, parse.GetValue(silos), TimeSpan.FromSeconds(parse.GetValue(timeout)), Console.Error).GetAwaiter().GetResult();
            WriteTable(result);
            return 0;
        }));
        return command;
    }

    private static Command CreateStatus()
    {
        var stateDir = StateDirOption();
        var json = new Option<bool>("--json") { Description = "Print the silos as JSON." };
        var command = new Command("status", "List the cluster's silos: id, endpoint, status, process id, activations.") { stateDir, json };
        command.SetAction(parse => Guard(() =>
        {
            var state = new LocalClusterState(parse.GetRequiredValue(stateDir).FullName);
            if (!File.Exists(state.MembershipFile))
            {
                // As `run --cluster` says it: a directory that holds no cluster is bad input.
                throw new UsageException($"--state-dir: no cluster in {state.Directory} (no membership.db): start one with 'migration-cluster cluster start --silos N'.");
            }
            var silos = ClusterStatusReader.ReadAsync(state).GetAwaiter().GetResult();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(silos, ClusterSiloInfo.JsonOptions));
            }
            else
            {
                // Dead rows of a silo that has started again since are history, not the cluster.
                var current = ClusterStatusReader.WithoutSupersededDeadRows(silos);
                WriteTable(current);
                if (current.Count < silos.Count)
                {
                    Console.Out.WriteLine($"({silos.Count - current.Count} Dead row(s) of silos that have started again since are not shown; --json lists every row.)");
                }
            }
            var unlisted = ClusterStatusReader.UnlistedProcesses(state, silos);
            if (unlisted.Count > 0)
            {
                // The membership file was replaced or deleted under running silos: the table is not the cluster.
                return CommandRunner.Fail(ExitCodes.Failure, $"{unlisted.Count} silo process(es) run that the membership table does not list as Active ({string.Join(", ", unlisted.Select(u => $"{u.Name} pid {u.Pid}"))}): the membership file was replaced under them; 'migration-cluster cluster stop --state-dir {state.Directory}' ends them");
            }
            return 0;
        }));
        return command;
    }

    private static Command CreateStop()
    {
        var stateDir = StateDirOption();
        var timeout = TimeoutOption("Seconds to wait for the silos to leave.");
        var command = new Command("stop", "Stop the cluster's silos gracefully (SIGTERM: ShuttingDown, then Dead).") { stateDir, timeout };
        command.SetAction(parse => Guard(() =>
        {
            var state = new LocalClusterState(parse.GetRequiredValue(stateDir).FullName);
            OutputFile.CheckWritableDirectory(state.Directory, "--state-dir");
            using var exclusive = Lock(state, "stop");
            var stopped = ClusterLauncher.StopAsync(state, TimeSpan.FromSeconds(parse.GetValue(timeout)), Console.Error).GetAwaiter().GetResult();
            Console.Out.WriteLine(stopped == 0 ? $"No silos running in {state.Directory}." : $"Stopped {stopped} silo(s).");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Applies the membership schema that Orleans' ADO.NET provider reads to a PostgreSQL database:
    /// idempotent, it never drops or deletes anything. Exit 2 for a malformed connection string,
    /// 1 when the server cannot be reached or refuses.
    /// </summary>
    private static Command CreateInitDb()
    {
        var postgres = new Option<string>("--postgres")
        {
            Description = "The database's connection string (Npgsql), e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres.",
            HelpName = "CONNSTR",
            Required = true,
        };
        var command = new Command("init-db", "Create or update the membership schema in a PostgreSQL database (safe to run again).") { postgres };
        command.SetAction(parse =>
        {
            NpgsqlConnectionStringBuilder database;
            try
            {
                database = PostgresMembershipSchema.ParseConnectionString(parse.GetRequiredValue(postgres));
            }
            catch (ArgumentException exception)
            {
                throw new UsageException($"--postgres: {exception.Message}", exception);
            }
            var where = PostgresMembershipSchema.Describe(database);
            try
            {
                PostgresMembershipSchema.ApplyAsync(database.ConnectionString).GetAwaiter().GetResult();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                var reason = exception.InnerException is SocketException socket ? $"{exception.Message} ({socket.Message})" : exception.Message;
                return CommandRunner.Fail(ExitCodes.Failure, $"cannot initialize the membership schema at {where}: {reason}");
            }
            Console.Out.WriteLine($"Membership schema ready at {where}.");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs one silo in this process: the arguments go to the silo host (e.g. <c>--state-dir DIR --name silo-1</c>).</summary>
    private static Command CreateSilo()
    {
        var command = new Command("silo", "Run one silo in this process (used by 'cluster start').")
        {
            Hidden = true,
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(parse => SiloHost.Run([.. parse.UnmatchedTokens]));
        // The default help prints nothing for a hidden command; this one says what it takes.
        var help = command.Options.OfType<HelpOption>().FirstOrDefault() ?? new HelpOption();
        help.Action = new SiloHelpAction();
        if (!command.Options.Contains(help))
        {
            command.Options.Add(help);
        }
        return command;
    }

    /// <summary>
    /// Makes a cluster certificate where a deployment mounts it (a compose volume, a Kubernetes
    /// secret, a copy on each machine); <c>--hosts</c> names the machines of a cluster on several hosts.
    /// </summary>
    private static Command CreateCertificate()
    {
        var output = new Option<FileInfo>("--out")
        {
            Description = "Where to write the certificate and its key (PKCS#12, readable by its owner only); an existing file is kept.",
            HelpName = "PATH",
            Required = true,
        };
        var hosts = new Option<string?>("--hosts")
        {
            Description = "The machines of the cluster, comma-separated host names or IP addresses: the certificate names them besides localhost and 127.0.0.1.",
            HelpName = "HOST,HOST,...",
        };
        var command = new Command("certificate", "Make a cluster's TLS certificate (ECDSA P-256, server and client authentication, localhost, 127.0.0.1 and --hosts) and print its SHA-256 fingerprint.") { output, hosts };
        command.SetAction(parse =>
        {
            IReadOnlyList<string>? named = null;
            if (parse.GetValue(hosts) is { } list)
            {
                try
                {
                    named = ClusterCertificate.ParseHosts(list);
                }
                catch (ArgumentException exception)
                {
                    throw new UsageException($"--hosts: {exception.Message}", exception);
                }
            }
            var path = parse.GetRequiredValue(output).FullName;
            OutputFile.CheckWritable(path, "--out");
            CheckCertificate(path);
            return Guard(() =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var certificate = ClusterCertificate.LoadOrCreate(path, named);
                // A kept file must still be the one asked for: a silo on a host it does not name would not match it.
                var missing = (named ?? []).Where(h => !ClusterCertificate.NamesOf(certificate).Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
                if (missing.Count > 0)
                {
                    throw new UsageException($"--out: {path} exists and does not name {string.Join(", ", missing)}: remove it, or write the new certificate elsewhere");
                }
                Console.Out.WriteLine($"{path}: sha256 {Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))}");
                return 0;
            });
        });
        return command;
    }

    /// <summary>Help for the hidden <c>cluster silo</c>: its switches and where its settings come from.</summary>
    private sealed class SiloHelpAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.Out.WriteLine("Usage: migration-cluster cluster silo [--state-dir DIR] [--name NAME] [--port N] [--gateway-port N] [--cluster-id ID] [--traces none|console|otlp|jsonl:PATH] [--Silo:Key=value ...]");
            Console.Out.WriteLine();
            Console.Out.WriteLine("Runs one silo in this process (what 'cluster start' launches). Settings come from appsettings.json,");
            Console.Out.WriteLine($"{SiloHost.EnvironmentPrefix}* environment variables and the command line, in that order; the switches above");
            Console.Out.WriteLine($"are short for: {string.Join(", ", SiloHost.SwitchMappings.Select(m => $"{m.Key} = --{m.Value}"))}.");
            Console.Out.WriteLine("Exit codes: 0 stopped, 1 failed, 2 bad settings.");
            return ExitCodes.Success;
        }
    }

    /// <summary>The state directory's lock for <paramref name="verb"/>; a second start or stop at the same time is refused (exit 2).</summary>
    private static StateDirectoryLock Lock(LocalClusterState state, string verb) =>
        StateDirectoryLock.TryAcquire(state)
        ?? throw new UsageException($"--state-dir {state.Directory}: another 'cluster start' or 'cluster stop' is running there; wait for it, then {verb} again");

    /// <summary>An existing certificate file that is not one is bad input (exit 2), said before anything starts.</summary>
    private static void CheckCertificate(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        try
        {
            ClusterCertificate.Load(path).Dispose();
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message, exception);
        }
    }

    private static void WriteTable(IReadOnlyList<ClusterSiloInfo> silos)
    {
        var table = new Table().AddColumns("Silo", "Endpoint", "Status", "Pid", "Activations");
        foreach (var silo in silos)
        {
            table.AddRow(
                Markup.Escape(silo.SiloName),
                Markup.Escape(silo.Address),
                silo.Status + (silo.ProcessRunning || silo.Status is "Dead" ? "" : " (process gone)"),
                silo.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                silo.Activations?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        }
        AnsiConsole.Write(table);
    }

    /// <summary>One line on stderr instead of a stack trace: exit 1 for a failed run.</summary>
    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is ClusterCommandException or ArgumentException or IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"migration-cluster: {exception.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
