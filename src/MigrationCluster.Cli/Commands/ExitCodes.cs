namespace MigrationCluster.Cli.Commands;

/// <summary>The process exit codes every command uses.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The input was fine but the run itself failed.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: an unknown option, a malformed or out-of-range value.</summary>
    public const int BadInput = 2;
}
