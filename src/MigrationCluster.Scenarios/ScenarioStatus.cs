using System.Globalization;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Scenarios;

/// <summary>
/// How a per-page status prints, in reports and in <c>expect.status</c>: a node number, an errno
/// name, <c>unwritten</c> for a move_pages entry the call left as it was, or <c>zero</c> for an
/// access that reached the shared zero page.
/// </summary>
public static class ScenarioStatus
{
    public const string Unwritten = "unwritten";

    public const string ZeroPage = "zero";

    /// <summary>A status value for the report: the node (a number), or a name.</summary>
    public static object Of(int status)
    {
        if (status >= 0)
        {
            return status;
        }

        if (status == MovePagesResult.Unwritten)
        {
            return Unwritten;
        }

        string name = Errno.Name(status);
        return name.StartsWith('E') ? name : status.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The text <see cref="Of"/> prints, as expectations compare it.</summary>
    public static string Token(int status) => Convert.ToString(Of(status), CultureInfo.InvariantCulture)!;
}
