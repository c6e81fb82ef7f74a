using System.Globalization;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// One writer of the multi-process race, run in a child process: opens its own table over the
/// shared file, says "ready", waits for "go" on stdin, then does read-modify-UpdateRow on one row
/// until it has won <c>updates</c> times, adding a suspicion vote of its own each time, and prints
/// "won N" for each table version N it installed.
/// </summary>
internal static class RaceWorker
{
    public const string Command = "race-update";
    public const string Usage = Command + " <file> <cluster-id> <silo-address> <voter-port> <updates>";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            await Console.Error.WriteLineAsync($"usage: {Usage}");
            return 2;
        }

        var (file, clusterId, silo) = (args[0], args[1], SiloAddress.FromParsableString(args[2]));
        var voter = MembershipEntries.NewSiloAddress(int.Parse(args[3], CultureInfo.InvariantCulture));
        var updates = int.Parse(args[4], CultureInfo.InvariantCulture);
        var table = SqliteMembershipTableTests.CreateTable(file, clusterId, TimeSpan.FromSeconds(20));
        await table.InitializeMembershipTableAsync(true);

        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 3;
        }

        var lost = 0;
        for (var won = 0; won < updates;)
        {
            var read = await table.ReadRowAsync(silo);
            var (entry, etag) = read.Members[0];
            (entry.SuspectTimes ??= []).Add(Tuple.Create(voter, MembershipEntries.Now.AddSeconds(won)));
            var next = read.Version.Next();
            if (await table.UpdateRowAsync(entry, etag, next))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"won {next.Version}"));
                won++;
            }
            else
            {
                lost++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"lost {lost}"));
        return 0;
    }
}
