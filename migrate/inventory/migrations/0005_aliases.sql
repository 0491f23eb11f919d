-- Version 5: a server renamed with `carelift inventory rename` keeps answering to the identity it
-- had, so importing the same export again updates it instead of adding the old name back.

CREATE TABLE aliases (
    identity  TEXT PRIMARY KEY,          -- an identity the server had before a rename
    server_id INTEGER NOT NULL
);

CREATE TRIGGER aliases_logged_insert AFTER INSERT ON aliases BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id) VALUES ((SELECT max(id) FROM batches), 'aliases', 'insert', NEW.rowid);
END;
CREATE TRIGGER aliases_logged_update AFTER UPDATE ON aliases BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'aliases', 'update', OLD.rowid,
            json_object('identity', OLD.identity, 'server_id', OLD.server_id));
END;
CREATE TRIGGER aliases_logged_delete AFTER DELETE ON aliases BEGIN
    INSERT INTO undo_log (batch_id, tbl, op, row_id, old)
    VALUES ((SELECT max(id) FROM batches), 'aliases', 'delete', OLD.rowid,
            json_object('identity', OLD.identity, 'server_id', OLD.server_id));
END;
