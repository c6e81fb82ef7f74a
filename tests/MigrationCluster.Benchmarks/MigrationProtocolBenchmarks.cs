using BenchmarkDotNet.Attributes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Benchmarks;

/// <summary>
/// The memory model moving a batch of anonymous pages between two nodes through every step, and
/// back, against copying the same page descriptors array to array.
/// `dotnet run -c Release --project tests/MigrationCluster.Benchmarks -- --filter *MigrationProtocol*`
/// </summary>
[MemoryDiagnoser]
public class MigrationProtocolBenchmarks
{
    private const int Pages = 4096;
    private MemorySystem _system = null!;
    private MigrationProtocol _protocol = null!;
    private MigrationRequest[] _there = [];
    private PageFrame[] _from = [];
    private PageFrame[] _to = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = new MemorySystem(NumaTopology.Uniform(2), new MemorySystemOptions { FramesPerNode = Pages * 2 });
        var space = _system.CreateAddressSpace(homeNode: 0);
        var vma = _system.MmapAnon(space.Id, Pages);
        var pages = new List<PageRef>();
        for (var i = 0; i < Pages; i++)
        {
            pages.Add(_system.Write(space.Id, vma.Start + i, (ulong)i).Page);
        }
        _protocol = new MigrationProtocol(new InProcessMigrationBackend(_system));
        _there = [.. pages.Select(p => new MigrationRequest(p, 1))];
        _from = new PageFrame[Pages];
        _to = new PageFrame[Pages];
    }

    [Benchmark(Baseline = true)]
    public void CopyFloor() => _from.AsSpan().CopyTo(_to);

    [Benchmark(OperationsPerInvoke = 2)]
    public async Task MigrateThereAndBack()
    {
        foreach (var request in _there)
        {
            _system.Node(request.Page.Node).IsolateLruPage(request.Page.Pfn);
        }
        var result = await _protocol.MigratePages(_there, MigrateMode.Sync, MigrateReason.Syscall);
        var back = result.NewPages.Select(p => new MigrationRequest(p, 0)).ToArray();
        foreach (var request in back)
        {
            _system.Node(request.Page.Node).IsolateLruPage(request.Page.Pfn);
        }
        var home = await _protocol.MigratePages(back, MigrateMode.Sync, MigrateReason.Syscall);
        _there = [.. home.NewPages.Select(p => new MigrationRequest(p, 1))];
    }
}
