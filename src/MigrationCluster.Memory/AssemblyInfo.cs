namespace MigrationCluster.Memory;
