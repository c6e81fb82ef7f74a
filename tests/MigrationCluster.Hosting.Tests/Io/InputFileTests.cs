using System.Diagnostics;
using MigrationCluster.Hosting.Io;

namespace MigrationCluster.Hosting.Tests.Io;

public sealed class InputFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mc-io-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("/dev/zero", "a character device")]
    [InlineData("/dev/urandom", "a character device")]
    [InlineData("/", "a directory")]
    public void A_device_or_a_directory_is_refused_without_reading_it(string path, string kind)
    {
        var refusal = Assert.Throws<UnusablePathException>(() => InputFile.ReadAllText(path, "scenario", InputFile.MaxScenarioBytes));

        Assert.Equal($"scenario '{path}' is {kind}, not a regular file", refusal.Message);
    }

    [Fact]
    public void A_pipe_with_no_writer_is_refused_at_once_instead_of_blocking_on_open()
    {
        var fifo = Path.Combine(_directory, "fifo");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var refusal = Assert.Throws<UnusablePathException>(() => InputFile.ReadAllText(fifo, "--topology", InputFile.MaxTopologyBytes));

        Assert.Contains("is a pipe", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_limit_is_refused_and_one_at_the_limit_is_read()
    {
        var path = Path.Combine(_directory, "big.yaml");
        File.WriteAllText(path, new string('x', 1025));

        var refusal = Assert.Throws<UnusablePathException>(() => InputFile.ReadAllText(path, "scenario", 1024));
        Assert.Equal($"scenario '{path}' is larger than the limit of 1 KiB", refusal.Message);
        Assert.Equal(1025, InputFile.ReadAllText(path, "scenario", 1025).Length);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_with_their_offset()
    {
        var path = Path.Combine(_directory, "latin1.yaml");
        File.WriteAllBytes(path, [(byte)'a', (byte)':', 0xE9, (byte)'\n']);

        var refusal = Assert.Throws<UnusablePathException>(() => InputFile.ReadAllText(path, "scenario", 1024));

        Assert.Contains("not UTF-8", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(_directory, "none.yaml");

        var refusal = Assert.Throws<UnusablePathException>(() => InputFile.ReadAllText(path, "scenario", 1024));

        Assert.Equal($"scenario '{path}': no such file", refusal.Message);
    }
}
