using FsCheck;
using FsCheck.Fluent;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Tests.Properties;

public class MigrationProperties
{
    private static readonly Arbitrary<int[]> Ops =
        Gen.Choose(0, 1_000_000).ArrayOf().Select(a => a.Length > 120 ? a[..120] : a).ToArbitrary();

    [Fact]
    public void Random_accessors_and_migrations_keep_every_invariant_after_every_step()
    {
        int steps = 0;
        Prop.ForAll(Ops, ops =>
        {
            var world = new RandomWorld();
            world.Run(ops);
            steps += world.Steps;
        }).QuickCheckThrowOnFailure();

        // The property ran real migrations, not only accessors.
        Assert.True(steps > 1000, $"only {steps} steps ran");
    }

    [Fact]
    public void Contents_words_round_trip_and_detect_a_damaged_checksum()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(0, 15).ToArbitrary(), (value, bit) =>
        {
            ulong v = (ulong)value * 65_537;
            ulong word = PageContents.Make(v);
            return PageContents.ValueOf(word) == v && PageContents.IsValid(word) && !PageContents.IsValid(word ^ (1UL << bit));
        }).QuickCheckThrowOnFailure();
    }
}
