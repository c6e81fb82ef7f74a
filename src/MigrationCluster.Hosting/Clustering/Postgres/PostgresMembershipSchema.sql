-- MigrationCluster's membership schema for Orleans' ADO.NET clustering provider on PostgreSQL.
--
-- The provider (Microsoft.Orleans.Clustering.AdoNet) ships no SQL: at start it reads the text of
-- each of its queries from a table named OrleansQuery (QueryKey, QueryText), binds its own named
-- parameters (@DeploymentId is the cluster id) and reads result columns by name. Everything else
-- here -- the tables, their names, the functions -- is ours.
--
-- PostgresMembershipSchema.ApplyAsync runs this file in one transaction under an advisory lock,
-- so any number of silos may apply it at once, and applying it again changes nothing but the
-- query texts and function bodies: no table is dropped, no row is touched.
--
-- The protocol: every write to a cluster's rows moves that cluster's table version by one, and
-- only a writer that names the current version may write. Writers take the version row's lock
-- first, so writers of one cluster queue there and exactly one wins each version.

-- The name is unquoted on purpose: the provider reads it unquoted, so both fold to lower case.
CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text        NOT NULL
);

-- One row per cluster: its table version (the provider's etag is this number as text).
CREATE TABLE IF NOT EXISTS orleans_membership_version (
    cluster_id text        PRIMARY KEY,
    version    integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port, generation) of a cluster. Times are UTC instants.
-- suspect_times is the provider's own text ("silo,time|silo,time"), stored as given.
CREATE TABLE IF NOT EXISTS orleans_membership (
    cluster_id      text        NOT NULL REFERENCES orleans_membership_version (cluster_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL CHECK (port BETWEEN 0 AND 65535),
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL CHECK (proxy_port BETWEEN 0 AND 65535),
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- InsertRow: a new silo row, if the caller holds the current version and the silo has no row yet.
CREATE OR REPLACE FUNCTION orleans_membership_insert_silo(
    p_cluster_id text, p_version integer,
    p_address text, p_port integer, p_generation integer,
    p_silo_name text, p_host_name text, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive_time timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    -- Waits for any writer holding the lock, then re-reads the committed version: a stale
    -- caller finds no row and loses.
    PERFORM 1 FROM orleans_membership_version
    WHERE cluster_id = p_cluster_id AND version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership (cluster_id, address, port, generation, silo_name, host_name,
                                    status, proxy_port, suspect_times, start_time, i_am_alive_time)
    VALUES (p_cluster_id, p_address, p_port, p_generation, p_silo_name, p_host_name,
            p_status, p_proxy_port, NULL, p_start_time, p_i_am_alive_time)
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false; -- the silo already has a row: leave it and the version as they are
    END IF;

    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE cluster_id = p_cluster_id;
    RETURN true;
END
$fn$;

-- UpdateRow: a silo's status, suspicions and alive time, under the same compare-and-swap.
CREATE OR REPLACE FUNCTION orleans_membership_update_silo(
    p_cluster_id text, p_version integer,
    p_address text, p_port integer, p_generation integer,
    p_status integer, p_suspect_times text, p_i_am_alive_time timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM 1 FROM orleans_membership_version
    WHERE cluster_id = p_cluster_id AND version = p_version
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
    SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
    WHERE cluster_id = p_cluster_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false; -- no such silo: the version stays where it was
    END IF;

    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE cluster_id = p_cluster_id;
    RETURN true;
END
$fn$;

-- The provider's queries. Result columns carry the names its reader asks for; a read always
-- yields the version row, with the silo columns null when no silo matches.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (cluster_id) VALUES (@DeploymentId)
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) = 1 FROM created
$q$),

('MembershipReadAllKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId
$q$),

('MembershipReadRowKey', $q$
SELECT v.version         AS "Version",
       m.address         AS "Address",
       m.port            AS "Port",
       m.generation      AS "Generation",
       m.silo_name       AS "SiloName",
       m.host_name       AS "HostName",
       m.status          AS "Status",
       m.proxy_port      AS "ProxyPort",
       m.suspect_times   AS "SuspectTimes",
       m.start_time      AS "StartTime",
       m.i_am_alive_time AS "IAmAliveTime"
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.cluster_id = v.cluster_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.cluster_id = @DeploymentId
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert_silo(
    p_cluster_id => @DeploymentId, p_version => @Version,
    p_address => @Address, p_port => @Port, p_generation => @Generation,
    p_silo_name => @SiloName, p_host_name => @HostName, p_status => @Status, p_proxy_port => @ProxyPort,
    p_start_time => @StartTime, p_i_am_alive_time => @IAmAliveTime)
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update_silo(
    p_cluster_id => @DeploymentId, p_version => @Version,
    p_address => @Address, p_port => @Port, p_generation => @Generation,
    p_status => @Status, p_suspect_times => @SuspectTimes, p_i_am_alive_time => @IAmAliveTime)
$q$),

-- The heartbeat is not a membership change: it moves neither the version nor any etag.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
SET i_am_alive_time = @IAmAliveTime
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- The version row goes too (its silos follow by cascade): a version read before must not match after.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version WHERE cluster_id = @DeploymentId
$q$),

-- Gateways: silos with the status the provider asks for (Active) that accept clients.
('GatewaysQueryKey', $q$
SELECT address    AS "Address",
       proxy_port AS "ProxyPort",
       generation AS "Generation"
FROM orleans_membership
WHERE cluster_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Dead (6) silos that gave no sign of life since the cut-off: neither a start nor an alive time after it.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE cluster_id = @DeploymentId
  AND status = 6
  AND GREATEST(start_time, i_am_alive_time) < @IAmAliveTime
$q$),

-- Optional for the provider, and preferred when present: it reads the table, picks the Dead rows
-- with no start, alive time or death vote since the cut-off, and deletes each one only if the row
-- still holds what it read, so a row written in between stays.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE cluster_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND start_time = @StartTime
  AND i_am_alive_time = @IAmAliveTime
  AND COALESCE(suspect_times, '') = COALESCE(@SuspectTimes, '')
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
