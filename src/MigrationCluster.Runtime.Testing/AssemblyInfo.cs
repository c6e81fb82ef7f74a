namespace MigrationCluster.Runtime.Testing;
