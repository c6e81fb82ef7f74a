using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.MigrationVmEvents")]
public struct MigrationVmEventsSurrogate
{
    [Id(0)] public long PgmigrateSuccess;
    [Id(1)] public long PgmigrateFail;
    [Id(2)] public long NumaPagesMigrated;
}

[RegisterConverter]
public sealed class MigrationVmEventsConverter : IConverter<MigrationVmEvents, MigrationVmEventsSurrogate>
{
    public MigrationVmEvents ConvertFromSurrogate(in MigrationVmEventsSurrogate surrogate) =>
        new(surrogate.PgmigrateSuccess, surrogate.PgmigrateFail, surrogate.NumaPagesMigrated);

    public MigrationVmEventsSurrogate ConvertToSurrogate(in MigrationVmEvents value) =>
        new() { PgmigrateSuccess = value.PgmigrateSuccess, PgmigrateFail = value.PgmigrateFail, NumaPagesMigrated = value.NumaPagesMigrated };
}
