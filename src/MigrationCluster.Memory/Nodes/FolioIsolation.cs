namespace MigrationCluster.Memory.Nodes;

/// <summary>What isolating the folio of a page did, and which folio that is (its head frame and order).</summary>
public readonly record struct FolioIsolation(IsolateResult Result, long Head, int Order);
