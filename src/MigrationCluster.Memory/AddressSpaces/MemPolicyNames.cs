namespace MigrationCluster.Memory.AddressSpaces;

/// <summary>The names a policy mode has in scenario files and reports (the MPOL_ name, lower case).</summary>
public static class MemPolicyNames
{
    private static readonly (MemPolicyMode Mode, string Name)[] Names =
    [
        (MemPolicyMode.Default, "default"),
        (MemPolicyMode.Preferred, "preferred"),
        (MemPolicyMode.Bind, "bind"),
        (MemPolicyMode.Interleave, "interleave"),
        (MemPolicyMode.Local, "local"),
        (MemPolicyMode.PreferredMany, "preferred_many"),
        (MemPolicyMode.WeightedInterleave, "weighted_interleave"),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Name);

    public static string Of(MemPolicyMode mode) => Names.FirstOrDefault(n => n.Mode == mode).Name ?? ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string name, out MemPolicyMode mode)
    {
        foreach (var (m, n) in Names)
        {
            if (n == name)
            {
                mode = m;
                return true;
            }
        }

        mode = default;
        return false;
    }
}
