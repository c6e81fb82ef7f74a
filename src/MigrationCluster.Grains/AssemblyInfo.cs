namespace MigrationCluster.Grains;
