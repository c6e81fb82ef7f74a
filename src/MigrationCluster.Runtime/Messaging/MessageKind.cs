namespace MigrationCluster.Runtime.Messaging;

/// <summary>The first byte after the version: what a frame carries.</summary>
public enum MessageKind : byte
{
    Request = 1,
    Response = 2,
    ExceptionResponse = 3,
    /// <summary>The caller cancelled: the callee's token for that request is cancelled.</summary>
    Cancel = 4,
    /// <summary>The target silo could not take the request (for example, it is shutting down).</summary>
    Rejection = 5,
}
