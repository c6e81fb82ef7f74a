namespace MigrationCluster.Hosting.Admission;

/// <summary>A job whose estimated memory exceeds the limit: refused before anything is allocated (bad input, exit 2).</summary>
public sealed class AdmissionRefusedException : Exception
{
    public AdmissionRefusedException()
    {
    }

    public AdmissionRefusedException(string message)
        : base(message)
    {
    }

    public AdmissionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
