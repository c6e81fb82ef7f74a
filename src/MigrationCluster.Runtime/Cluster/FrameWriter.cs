using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>
/// A per-thread <see cref="WireWriter"/> for outgoing messages: a message is written and handed
/// to the connection (which copies it) on the same thread, so one buffer per thread is enough and
/// the send path allocates nothing.
/// </summary>
internal static class FrameWriter
{
    [ThreadStatic]
    private static WireWriter? t_writer;

    public static WireWriter Rent()
    {
        var writer = t_writer ??= new WireWriter(1024);
        writer.Reset();
        return writer;
    }
}
