-- Version 6: undo rewinds when an import last saw a server unchanged.
--
-- An import that sees a server unchanged only moves its last_batch (ingest.py's `seen`), which
-- servers_logged_update (fired by the other columns) never logged, so `batches undo` left it
-- pointing at the undone batch. It is logged now as an update of that one column; an update that
-- changes any other column is logged whole by servers_logged_update (its old row has last_batch).
-- The WHEN is "no column servers_logged_update watches changed": when one did, that trigger ran.
CREATE TRIGGER servers_logged_seen AFTER UPDATE OF last_batch ON servers
WHEN OLD.last_batch IS NOT NEW.last_batch AND
    OLD.name IS NEW.name AND OLD.fqdn IS NEW.fqdn AND OLD.ips IS NEW.ips AND OLD.os_name IS NEW.os_name AND
    OLD.os_version IS NEW.os_version AND OLD.os_family IS NEW.os_family AND OLD.cores IS NEW.cores AND
    OLD.memory_mb IS NEW.memory_mb AND OLD.power_state IS NEW.power_state AND OLD.template IS NEW.template AND
    OLD.hypervisor IS NEW.hypervisor AND OLD.datacenter IS NEW.datacenter AND OLD.cluster IS NEW.cluster AND
    OLD.host IS NEW.host AND OLD.folder IS NEW.folder AND OLD.firmware IS NEW.firmware AND
    OLD.vm_uuid IS NEW.vm_uuid AND OLD.sources IS NEW.sources AND OLD.environment IS NEW.environment AND
    OLD.tier IS NEW.tier AND OLD.data_classification IS NEW.data_classification AND OLD.owner IS NEW.owner AND
    OLD.business_unit IS NEW.business_unit AND OLD.rto_hours IS NEW.rto_hours AND
    OLD.rpo_hours IS NEW.rpo_hours AND OLD.cpu_utilization IS NEW.cpu_utilization AND
    OLD.memory_utilization IS NEW.memory_utilization AND OLD.tags IS NEW.tags AND
    OLD.first_batch IS NEW.first_batch
BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'servers', 'update', OLD.id, json_object('last_batch', OLD.last_batch));
END;
