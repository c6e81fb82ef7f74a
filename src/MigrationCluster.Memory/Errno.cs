namespace MigrationCluster.Memory;

/// <summary>
/// The Linux errno values the model returns. Results carry them negated, as the kernel does
/// (<c>-EAGAIN</c>), and user-facing calls follow the manual pages.
/// </summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EIO = 5;
    public const int E2BIG = 7;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;

    /// <summary>
    /// Not an errno: a fault the kernel answers with VM_FAULT_SIGBUS (an access past the end of a
    /// file), which kills the task with SIGBUS. Accesses report it where an errno would be; get_user_pages turns it into -EFAULT.
    /// </summary>
    public const int SIGBUS = 135;

    /// <summary>The symbolic name of an errno value, either sign (for messages and traces).</summary>
    public static string Name(int errno) => Math.Abs(errno) switch
    {
        0 => "0",
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EIO => "EIO",
        E2BIG => "E2BIG",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        SIGBUS => "SIGBUS",
        var other => other.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
