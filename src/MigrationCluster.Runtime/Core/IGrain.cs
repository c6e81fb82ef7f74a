namespace MigrationCluster.Runtime.Core;

/// <summary>Anything that can be addressed by a <see cref="GrainId"/>: grains and their references.</summary>
public interface IAddressable
{
}

/// <summary>Marker for grain interfaces. Use one of the keyed interfaces below.</summary>
public interface IGrain : IAddressable
{
}

/// <summary>A grain addressed by a 64-bit integer key.</summary>
public interface IGrainWithIntegerKey : IGrain
{
}

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain
{
}

/// <summary>A grain addressed by a GUID key.</summary>
public interface IGrainWithGuidKey : IGrain
{
}
