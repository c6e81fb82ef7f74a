using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.MigrationVmEvents")]
public struct MigrationVmEventsSurrogate
{
    [Id(0)] public long PgmigrateSuccess;
    [Id(1)] public long PgmigrateFail;
    [Id(2)] public long NumaPagesMigrated;
    [Id(3)] public long ThpMigrationSuccess;
    [Id(4)] public long ThpMigrationFail;
    [Id(5)] public long ThpMigrationSplit;
}

[RegisterConverter]
public sealed class MigrationVmEventsConverter : IConverter<MigrationVmEvents, MigrationVmEventsSurrogate>
{
    public MigrationVmEvents ConvertFromSurrogate(in MigrationVmEventsSurrogate surrogate) =>
        new(surrogate.PgmigrateSuccess, surrogate.PgmigrateFail, surrogate.NumaPagesMigrated, surrogate.ThpMigrationSuccess, surrogate.ThpMigrationFail, surrogate.ThpMigrationSplit);

    public MigrationVmEventsSurrogate ConvertToSurrogate(in MigrationVmEvents value) =>
        new()
        {
            PgmigrateSuccess = value.PgmigrateSuccess,
            PgmigrateFail = value.PgmigrateFail,
            NumaPagesMigrated = value.NumaPagesMigrated,
            ThpMigrationSuccess = value.ThpMigrationSuccess,
            ThpMigrationFail = value.ThpMigrationFail,
            ThpMigrationSplit = value.ThpMigrationSplit,
        };
}
