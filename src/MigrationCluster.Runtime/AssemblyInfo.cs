namespace MigrationCluster.Runtime;
