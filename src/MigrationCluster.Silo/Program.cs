namespace MigrationCluster.Silo;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("migration-cluster-silo: not built yet");
        return args.Length == 0 ? 1 : 1;
    }
}
