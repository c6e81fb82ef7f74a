using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.Persistence;
using MigrationCluster.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Runtime.Tests.Persistence;

public sealed class PersistenceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mc-persist-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private Silo CreateSqliteSilo() => TestSilo.Create(b => b.AddSqliteGrainStorage(o => o.FilePath = Path.Combine(_directory, "state.db")));

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task State_is_read_back_after_deactivation(string provider)
    {
        await using var silo = provider == "sqlite" ? CreateSqliteSilo() : TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("c1");
        await grain.Increment("a");
        await grain.Increment("b");
        await grain.Deactivate();
        for (var i = 0; i < 1000 && silo.ActivationCount > 0; i++)
        {
            await Task.Delay(10);
        }
        var state = await grain.Get();
        Assert.Equal(2, state.Value);
        Assert.Equal(["a", "b"], state.History);
    }

    [Fact]
    public async Task Sqlite_state_survives_the_silo()
    {
        await using (var silo = CreateSqliteSilo())
        {
            await silo.GrainFactory.GetGrain<ICounterGrain>("durable").Increment("before");
        }
        await using (var silo = CreateSqliteSilo())
        {
            var state = await silo.GrainFactory.GetGrain<ICounterGrain>("durable").Get();
            Assert.Equal(1, state.Value);
            Assert.Equal(["before"], state.History);
        }
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    public async Task Write_with_a_stale_etag_throws_and_keeps_the_stored_record(string provider)
    {
        await using var silo = provider == "sqlite" ? CreateSqliteSilo() : TestSilo.Create();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("contended");
        await grain.Increment("mine");
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        var id = new GrainId("counter", "contended");
        var etag = await grain.Etag();
        // Someone else writes the record behind the grain's back.
        await storage.WriteAsync(id, "counter", """{"Value":99,"History":["theirs"]}"""u8.ToArray(), etag, CancellationToken.None);
        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.Increment("lost"));
        var stored = await storage.ReadAsync(id, "counter", CancellationToken.None);
        Assert.Contains("theirs", System.Text.Encoding.UTF8.GetString(stored!.Payload));
    }

    [Fact]
    public async Task Clear_removes_the_record()
    {
        await using var silo = CreateSqliteSilo();
        var grain = silo.GrainFactory.GetGrain<ICounterGrain>("cleared");
        await grain.Increment("x");
        await grain.Clear();
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(PersistentStateAttribute.DefaultStorageName);
        Assert.Null(await storage.ReadAsync(new GrainId("counter", "cleared"), "counter", CancellationToken.None));
        Assert.Equal(0, (await grain.Get()).Value);
    }
}
