-- Version 4: the estate's history can be acted on. `inventory rename`, `inventory remove` and
-- `inventory batches undo` are batches like imports; every row a batch inserts, updates or
-- deletes is logged (by the triggers below) so that `batches undo N` can put it back, all in one
-- transaction. An undo is itself a batch, so it can be undone too.

ALTER TABLE batches ADD COLUMN undone_by INTEGER REFERENCES batches(id);

-- A removed server keeps its history: changes.server_id is no longer a foreign key.
CREATE TABLE changes_v4 (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES batches(id),
    server_id INTEGER NOT NULL,
    identity  TEXT NOT NULL,
    name      TEXT NOT NULL,
    field     TEXT NOT NULL,
    old       TEXT,
    new       TEXT
);
INSERT INTO changes_v4 (id, batch_id, server_id, identity, name, field, old, new)
    SELECT id, batch_id, server_id, identity, name, field, old, new FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v4 RENAME TO changes;
CREATE INDEX changes_by_batch ON changes (batch_id);

-- What each batch did to each row: op insert (row_id only), update or delete (old: the row before, JSON).
CREATE TABLE undo_log (
    id       INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    tbl      TEXT NOT NULL,
    op       TEXT NOT NULL,
    row_id   INTEGER NOT NULL,
    old      TEXT
);
CREATE INDEX undo_log_by_batch ON undo_log (batch_id);
CREATE INDEX undo_log_by_row ON undo_log (tbl, row_id);


CREATE TRIGGER servers_logged_insert AFTER INSERT ON servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'servers', 'insert', NEW.id);
END;
CREATE TRIGGER servers_logged_update AFTER UPDATE OF name, fqdn, ips, os_name, os_version, os_family, cores, memory_mb, power_state, template, hypervisor, datacenter, cluster, host, folder, firmware, vm_uuid, sources, environment, tier, data_classification, owner, business_unit, rto_hours, rpo_hours, cpu_utilization, memory_utilization, tags, first_batch ON servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'servers', 'update', OLD.id, json_object('id', OLD.id, 'identity', OLD.identity, 'name', OLD.name, 'fqdn', OLD.fqdn, 'ips', OLD.ips, 'os_name', OLD.os_name, 'os_version', OLD.os_version, 'os_family', OLD.os_family, 'cores', OLD.cores, 'memory_mb', OLD.memory_mb, 'power_state', OLD.power_state, 'template', OLD.template, 'hypervisor', OLD.hypervisor, 'datacenter', OLD.datacenter, 'cluster', OLD.cluster, 'host', OLD.host, 'folder', OLD.folder, 'firmware', OLD.firmware, 'vm_uuid', OLD.vm_uuid, 'sources', OLD.sources, 'environment', OLD.environment, 'tier', OLD.tier, 'data_classification', OLD.data_classification, 'owner', OLD.owner, 'business_unit', OLD.business_unit, 'rto_hours', OLD.rto_hours, 'rpo_hours', OLD.rpo_hours, 'cpu_utilization', OLD.cpu_utilization, 'memory_utilization', OLD.memory_utilization, 'tags', OLD.tags, 'first_batch', OLD.first_batch, 'last_batch', OLD.last_batch));
END;
CREATE TRIGGER servers_logged_delete AFTER DELETE ON servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'servers', 'delete', OLD.id, json_object('id', OLD.id, 'identity', OLD.identity, 'name', OLD.name, 'fqdn', OLD.fqdn, 'ips', OLD.ips, 'os_name', OLD.os_name, 'os_version', OLD.os_version, 'os_family', OLD.os_family, 'cores', OLD.cores, 'memory_mb', OLD.memory_mb, 'power_state', OLD.power_state, 'template', OLD.template, 'hypervisor', OLD.hypervisor, 'datacenter', OLD.datacenter, 'cluster', OLD.cluster, 'host', OLD.host, 'folder', OLD.folder, 'firmware', OLD.firmware, 'vm_uuid', OLD.vm_uuid, 'sources', OLD.sources, 'environment', OLD.environment, 'tier', OLD.tier, 'data_classification', OLD.data_classification, 'owner', OLD.owner, 'business_unit', OLD.business_unit, 'rto_hours', OLD.rto_hours, 'rpo_hours', OLD.rpo_hours, 'cpu_utilization', OLD.cpu_utilization, 'memory_utilization', OLD.memory_utilization, 'tags', OLD.tags, 'first_batch', OLD.first_batch, 'last_batch', OLD.last_batch));
END;

CREATE TRIGGER disks_logged_insert AFTER INSERT ON disks BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'disks', 'insert', NEW.rowid);
END;
CREATE TRIGGER disks_logged_update AFTER UPDATE ON disks BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'disks', 'update', OLD.rowid, json_object('rowid', OLD.rowid, 'server_id', OLD.server_id, 'position', OLD.position, 'label', OLD.label, 'size_gb', OLD.size_gb, 'used_gb', OLD.used_gb, 'shared', OLD.shared));
END;
CREATE TRIGGER disks_logged_delete AFTER DELETE ON disks BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'disks', 'delete', OLD.rowid, json_object('rowid', OLD.rowid, 'server_id', OLD.server_id, 'position', OLD.position, 'label', OLD.label, 'size_gb', OLD.size_gb, 'used_gb', OLD.used_gb, 'shared', OLD.shared));
END;

CREATE TRIGGER applications_logged_insert AFTER INSERT ON applications BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'applications', 'insert', NEW.id);
END;
CREATE TRIGGER applications_logged_update AFTER UPDATE ON applications BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'applications', 'update', OLD.id, json_object('id', OLD.id, 'key', OLD.key, 'name', OLD.name, 'type', OLD.type, 'vendor', OLD.vendor, 'criticality', OLD.criticality));
END;
CREATE TRIGGER applications_logged_delete AFTER DELETE ON applications BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'applications', 'delete', OLD.id, json_object('id', OLD.id, 'key', OLD.key, 'name', OLD.name, 'type', OLD.type, 'vendor', OLD.vendor, 'criticality', OLD.criticality));
END;

CREATE TRIGGER application_servers_logged_insert AFTER INSERT ON application_servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'application_servers', 'insert', NEW.rowid);
END;
CREATE TRIGGER application_servers_logged_update AFTER UPDATE ON application_servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'application_servers', 'update', OLD.rowid, json_object('rowid', OLD.rowid, 'application_id', OLD.application_id, 'server_id', OLD.server_id));
END;
CREATE TRIGGER application_servers_logged_delete AFTER DELETE ON application_servers BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'application_servers', 'delete', OLD.rowid, json_object('rowid', OLD.rowid, 'application_id', OLD.application_id, 'server_id', OLD.server_id));
END;

CREATE TRIGGER dependencies_logged_insert AFTER INSERT ON dependencies BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'dependencies', 'insert', NEW.id);
END;
CREATE TRIGGER dependencies_logged_update AFTER UPDATE ON dependencies BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'dependencies', 'update', OLD.id, json_object('id', OLD.id, 'source_id', OLD.source_id, 'source', OLD.source, 'destination_id', OLD.destination_id, 'destination', OLD.destination, 'port', OLD.port, 'protocol', OLD.protocol, 'process', OLD.process, 'weight', OLD.weight, 'first_seen', OLD.first_seen, 'last_seen', OLD.last_seen, 'source_ip', OLD.source_ip, 'destination_ip', OLD.destination_ip));
END;
CREATE TRIGGER dependencies_logged_delete AFTER DELETE ON dependencies BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'dependencies', 'delete', OLD.id, json_object('id', OLD.id, 'source_id', OLD.source_id, 'source', OLD.source, 'destination_id', OLD.destination_id, 'destination', OLD.destination, 'port', OLD.port, 'protocol', OLD.protocol, 'process', OLD.process, 'weight', OLD.weight, 'first_seen', OLD.first_seen, 'last_seen', OLD.last_seen, 'source_ip', OLD.source_ip, 'destination_ip', OLD.destination_ip));
END;
