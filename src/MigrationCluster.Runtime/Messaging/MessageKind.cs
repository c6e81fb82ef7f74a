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
    /// <summary>A liveness probe between silos; answered with <see cref="Pong"/>.</summary>
    Ping = 6,
    /// <summary>The answer to a probe; the body carries the sender's activation count (for placement).</summary>
    Pong = 7,
    /// <summary>A grain directory operation addressed to the owner of a grain's partition.</summary>
    DirectoryRequest = 8,
    /// <summary>The owner's answer to a <see cref="DirectoryRequest"/>.</summary>
    DirectoryResponse = 9,
    /// <summary>A silo changed the membership table: read it now instead of at the next refresh.</summary>
    MembershipChanged = 10,
}
