using System.Text;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>
/// How a hostile but fair user bends a valid input file: cuts, repeats, swaps and splices in
/// tokens that have broken readers before (anchors and aliases, deep brackets, lone surrogates,
/// devices, huge numbers, control bytes).
/// </summary>
internal static class FileMutation
{
    public const int Kinds = 8;

    private static readonly string[] Tokens =
    [
        "&a ", "*a", "<<: *a", "[[[[[[[[[[[[[[[[", "]]]]", "{{{{", "\"\\ud800\"", "'\\ud800'", "\u0000", "\t", "\r\n",
        "99999999999999999999", "-1", "NaN", "1e400", "0x7fffffff", "\"2\"", "'true'", "null", "~", "---\n", "...\n",
        "topology: /dev/zero\n", "topology: /dev/urandom\n", "- ", ": ", "#", "\uFEFF", "\u00e9", "?", "!!binary ", "%YAML 1.2\n",
    ];

    /// <summary>Applies mutation <paramref name="kind"/> to <paramref name="text"/>, its details drawn from <paramref name="seed"/>.</summary>
    public static string Apply(string text, int kind, int seed)
    {
        var random = new Random(seed);
        var lines = text.Split('\n').ToList();
        int At(int length) => length == 0 ? 0 : random.Next(length);
        switch (kind)
        {
            case 0: // cut the file short anywhere
                return text[..At(text.Length)];
            case 1: // splice a hostile token in anywhere
                var position = At(text.Length);
                return text[..position] + Tokens[random.Next(Tokens.Length)] + text[position..];
            case 2: // drop a line
                lines.RemoveAt(At(lines.Count));
                return string.Join('\n', lines);
            case 3: // repeat a line (duplicate keys, extra items)
                var line = At(lines.Count);
                lines.Insert(line, lines[line]);
                return string.Join('\n', lines);
            case 4: // swap two lines (indentation and order go wrong)
                var (i, j) = (At(lines.Count), At(lines.Count));
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return string.Join('\n', lines);
            case 5: // a number becomes another (negative, huge, out of range)
                var digits = Enumerable.Range(0, text.Length).Where(k => char.IsAsciiDigit(text[k])).ToList();
                if (digits.Count == 0)
                {
                    return text;
                }
                var d = digits[At(digits.Count)];
                string[] numbers = ["0", "-1", "65", "1025", "65537", "2147483648", "9223372036854775808", "1.5"];
                return text[..d] + numbers[random.Next(numbers.Length)] + text[(d + 1)..];
            case 6: // flip a byte of the text to another character
                var builder = new StringBuilder(text);
                if (builder.Length > 0)
                {
                    builder[At(builder.Length)] = (char)random.Next(1, 128);
                }
                return builder.ToString();
            default: // nest a value many levels deep
                var depth = random.Next(10, 5000);
                var at = At(lines.Count);
                lines.Insert(at, "x: " + new string('[', depth) + new string(']', depth));
                return string.Join('\n', lines);
        }
    }
}
