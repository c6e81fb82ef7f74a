using System.Diagnostics.CodeAnalysis;
using MigrationCluster.Runtime.MembershipService;

namespace MigrationCluster.Runtime.Networking;

/// <summary>
/// Who is at the other end of a connection: a silo (its <see cref="SiloAddress"/>) or a client
/// (an id). Wire form: the silo address (<c>S127.0.0.1:11111:5</c>) or <c>C</c> + client id.
/// </summary>
public sealed class PeerIdentity : IEquatable<PeerIdentity>
{
    public const int MaxClientIdLength = 200;

    private const char ClientPrefix = 'C';

    private PeerIdentity(SiloAddress? silo, string? clientId)
    {
        Silo = silo;
        ClientId = clientId;
    }

    /// <summary>The silo, or null for a client.</summary>
    public SiloAddress? Silo { get; }

    /// <summary>The client's id, or null for a silo.</summary>
    public string? ClientId { get; }

    [MemberNotNullWhen(true, nameof(ClientId))]
    [MemberNotNullWhen(false, nameof(Silo))]
    public bool IsClient => ClientId is not null;

    public static PeerIdentity ForSilo(SiloAddress silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        return new PeerIdentity(silo, null);
    }

    public static PeerIdentity ForClient(string clientId)
    {
        if (string.IsNullOrEmpty(clientId) || clientId.Length > MaxClientIdLength)
        {
            throw new ArgumentException($"A client id is 1 to {MaxClientIdLength} characters.", nameof(clientId));
        }

        return new PeerIdentity(null, clientId);
    }

    public static PeerIdentity NewClient() => ForClient(Guid.NewGuid().ToString("N"));

    public static bool TryParse(string? text, [NotNullWhen(true)] out PeerIdentity? identity)
    {
        identity = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text[0] == ClientPrefix && text.Length > 1 && text.Length <= MaxClientIdLength + 1)
        {
            identity = new PeerIdentity(null, text[1..]);
            return true;
        }

        if (SiloAddress.TryParse(text, out var silo))
        {
            identity = new PeerIdentity(silo, null);
            return true;
        }

        return false;
    }

    public override string ToString() => IsClient ? ClientPrefix + ClientId : Silo.ToString();

    public bool Equals(PeerIdentity? other) =>
        other is not null && Equals(Silo, other.Silo) && string.Equals(ClientId, other.ClientId, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as PeerIdentity);

    public override int GetHashCode() => HashCode.Combine(Silo, ClientId);
}
