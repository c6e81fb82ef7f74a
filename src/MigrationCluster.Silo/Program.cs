using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Silo;

public static class Program
{
    public static int Main(string[] args) => SiloHost.Run(args);
}
