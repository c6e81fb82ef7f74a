using System.Buffers;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Cluster;

/// <summary>Handles one incoming frame; <paramref name="pending"/> is where answers to calls sent on that connection wait (null on a connection nothing is sent on).</summary>
internal interface IClusterFrameProcessor
{
    void Process(Connection connection, ReadOnlySequence<byte> payload, PendingCalls? pending);
}
