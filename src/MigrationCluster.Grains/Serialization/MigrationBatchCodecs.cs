using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Serialization;

/// <summary>The page descriptors of a migration batch, as one block of bytes.</summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class MigrationPageArrayCodec : BlittableArrayCodec<MigrationPage>;

/// <summary>The PTEs a batch's try_to_unmap turned into migration entries, as one block of bytes.</summary>
[RegisterSerializer]
[RegisterCopier]
public sealed class MigrationPteArrayCodec : BlittableArrayCodec<MigrationPte>;
