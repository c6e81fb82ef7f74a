using MigrationCluster.Hosting.Io;

namespace MigrationCluster.Hosting.Tests.Io;

public sealed class OutputFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mc-io-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_write_that_fails_half_way_leaves_the_earlier_file_whole_and_no_temporary_file()
    {
        var path = Path.Combine(_directory, "results.json");
        File.WriteAllText(path, "earlier");

        Assert.Throws<InvalidOperationException>(() => OutputFile.Write(path, stream =>
        {
            stream.Write("half a docu"u8);
            throw new InvalidOperationException("the writer died");
        }));

        Assert.Equal("earlier", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void A_write_replaces_the_file_and_creates_its_directory()
    {
        var path = Path.Combine(_directory, "out", "report.html");

        OutputFile.WriteAllText(path, "one");
        OutputFile.WriteAllText(path, "two");

        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void A_path_writer_gets_a_temporary_name_with_the_same_extension()
    {
        var path = Path.Combine(_directory, "plot.png");
        string? given = null;

        OutputFile.WriteVia(path, temporary =>
        {
            given = temporary;
            File.WriteAllText(temporary, "png");
        });

        Assert.EndsWith(".png", given, StringComparison.Ordinal);
        Assert.NotEqual(path, given);
        Assert.Equal("png", File.ReadAllText(path));
    }

    [Fact]
    public void An_output_that_is_a_directory_under_a_file_or_a_device_is_refused()
    {
        var file = Path.Combine(_directory, "file");
        File.WriteAllText(file, "x");

        Assert.Equal($"--json '{_directory}' is a directory, not a file",
            Assert.Throws<UnusablePathException>(() => OutputFile.CheckWritable(_directory, "--json")).Message);
        Assert.Equal($"--json '{file}/deeper/out.json': '{file}' is a regular file, not a directory",
            Assert.Throws<UnusablePathException>(() => OutputFile.CheckWritable(Path.Combine(file, "deeper", "out.json"), "--json")).Message);
        Assert.Contains("a character device", Assert.Throws<UnusablePathException>(() => OutputFile.CheckWritable("/dev/null", "--json")).Message, StringComparison.Ordinal);
        OutputFile.CheckWritable(Path.Combine(_directory, "new", "out.json"), "--json");
        Assert.False(Directory.Exists(Path.Combine(_directory, "new")), "checking must not create anything");
    }

    [Fact]
    public void An_output_where_no_file_can_be_created_is_refused()
    {
        // /proc takes no new files, whoever asks (root included).
        var refusal = Assert.Throws<UnusablePathException>(() => OutputFile.CheckWritable("/proc/out.json", "--json"));

        Assert.StartsWith("--json '/proc/out.json': cannot create files in '/proc'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_may_be_neither_an_input_nor_another_output()
    {
        var scenario = Path.Combine(_directory, "s.yaml");
        File.WriteAllText(scenario, "calls: []");
        var link = Path.Combine(_directory, "link.yaml");
        File.CreateSymbolicLink(link, scenario);

        Assert.Equal($"--json '{scenario}' is the scenario file: writing it would overwrite the input",
            Assert.Throws<UnusablePathException>(() => new PathRoles().Input("scenario", scenario).Output("--json", scenario).Check()).Message);
        Assert.Contains("is the scenario file", Assert.Throws<UnusablePathException>(() => new PathRoles().Input("scenario", scenario).Output("--json", link).Check()).Message, StringComparison.Ordinal);
        var output = Path.Combine(_directory, "f");
        var sameOutput = Path.Combine(_directory, ".", "f");
        Assert.Equal($"--trace jsonl '{sameOutput}' is also the --json file: give each output its own path",
            Assert.Throws<UnusablePathException>(() => new PathRoles().Output("--json", output).Output("--trace jsonl", sameOutput).Check()).Message);
        new PathRoles().Input("scenario", scenario).Output("--json", Path.Combine(_directory, "r.json")).Check();
        Assert.Equal("calls: []", File.ReadAllText(scenario));
    }
}
