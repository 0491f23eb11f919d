"""Controls by service; `infra.compliance.catalog` gathers every module's CONTROLS."""
