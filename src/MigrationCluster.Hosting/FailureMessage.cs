using System.Text.RegularExpressions;

namespace MigrationCluster.Hosting;

/// <summary>
/// A failure the user did not cause, as one line: the exception's own sentence, never its type's
/// name. Orleans writes an inner exception's type and stack trace into some of its messages
/// ("Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable
/// to connect to S127.0.0.1:...\n   at ..."): the first line is kept, the type names dropped.
/// </summary>
public static partial class FailureMessage
{
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        var line = TypeName().Replace(end < 0 ? message : message[..end], string.Empty).Trim();
        return line.Length > 0 ? line : "the call failed without saying why";
    }

    /// <summary>A namespace-qualified exception type and its colon, as .NET's ToString writes it.</summary>
    [GeneratedRegex(@"\b(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*Exception: ")]
    private static partial Regex TypeName();
}
