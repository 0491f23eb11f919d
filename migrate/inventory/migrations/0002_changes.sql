-- Version 2: what each import changed, field by field, so `carelift inventory history` can say it.

CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES batches(id),
    server_id INTEGER NOT NULL REFERENCES servers(id),
    identity  TEXT NOT NULL,             -- the server's identity when the change was made
    name      TEXT NOT NULL,             -- its name then, for display
    field     TEXT NOT NULL,             -- a Server field, or '*' for "added"
    old       TEXT,                      -- display text of the old value (NULL when empty)
    new       TEXT                       -- display text of the new value (NULL when empty)
);
CREATE INDEX changes_by_batch ON changes (batch_id);
