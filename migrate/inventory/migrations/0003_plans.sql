-- Version 3: migration plans computed from the estate (`carelift plan`), newest last. The plan
-- is its canonical JSON (byte-identical for the same inputs); created_at lives only here.

CREATE TABLE plans (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,            -- UTC, ISO 8601
    digest     TEXT NOT NULL,            -- SHA-256 of the plan JSON
    plan       TEXT NOT NULL             -- the plan JSON (schema carelift.plan/v1)
);
