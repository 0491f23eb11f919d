-- Version 1: the estate itself — import batches, servers with their disks, applications and
-- their member servers, aggregated dependency edges.

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    counts      TEXT NOT NULL            -- JSON object: added, updated, unchanged, skipped:<reason>, ...
);

CREATE TABLE servers (
    id                  INTEGER PRIMARY KEY,
    identity            TEXT NOT NULL UNIQUE,  -- lower-cased VM UUID, else lower-cased short name
    name                TEXT NOT NULL,
    fqdn                TEXT,
    ips                 TEXT NOT NULL DEFAULT '[]',   -- JSON list
    os_name             TEXT,
    os_version          TEXT,
    os_family           TEXT NOT NULL DEFAULT 'unknown',
    cores               INTEGER,
    memory_mb           INTEGER,
    power_state         TEXT NOT NULL DEFAULT 'unknown',
    template            INTEGER NOT NULL DEFAULT 0,
    hypervisor          TEXT,
    datacenter          TEXT,
    cluster             TEXT,
    host                TEXT,
    folder              TEXT,
    firmware            TEXT,
    vm_uuid             TEXT,
    sources             TEXT NOT NULL DEFAULT '[]',   -- JSON list
    environment         TEXT,
    tier                INTEGER,
    data_classification TEXT,
    owner               TEXT,
    business_unit       TEXT,
    rto_hours           REAL,
    rpo_hours           REAL,
    cpu_utilization     REAL,
    memory_utilization  REAL,
    tags                TEXT NOT NULL DEFAULT '[]',   -- JSON list of [key, value] pairs
    first_batch         INTEGER NOT NULL REFERENCES batches(id),
    last_batch          INTEGER NOT NULL REFERENCES batches(id)
);
CREATE INDEX servers_by_name ON servers (lower(name));

CREATE TABLE disks (
    server_id INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    size_gb   REAL NOT NULL,
    used_gb   REAL,
    shared    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (server_id, position)
);

CREATE TABLE applications (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,    -- lower-cased name
    name        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT 'other',
    vendor      TEXT,
    criticality INTEGER
);

CREATE TABLE application_servers (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    server_id      INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, server_id)
);
CREATE INDEX application_servers_by_server ON application_servers (server_id);

-- One row per aggregated edge. An endpoint is either an inventory server (its id, address '')
-- or an external endpoint (id 0, the lower-cased name or address it was seen as).
CREATE TABLE dependencies (
    id                  INTEGER PRIMARY KEY,
    source_id           INTEGER NOT NULL DEFAULT 0,
    source              TEXT NOT NULL DEFAULT '',
    destination_id      INTEGER NOT NULL DEFAULT 0,
    destination         TEXT NOT NULL DEFAULT '',
    port                INTEGER NOT NULL,
    protocol            TEXT NOT NULL,
    process             TEXT,
    weight              INTEGER NOT NULL,
    first_seen          TEXT,
    last_seen           TEXT,
    source_ip           TEXT,
    destination_ip      TEXT,
    UNIQUE (source_id, source, destination_id, destination, port, protocol)
);
CREATE INDEX dependencies_by_destination ON dependencies (destination_id);
