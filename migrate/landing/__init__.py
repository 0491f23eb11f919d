"""From plan to landing: where each planned server lands in a stack, what the hybrid period needs
from the firewall and NSGs, and what the migration factory (Azure Migrate's at-scale scripts) reads.

Pure functions over the plan JSON, the inventory's facts and the validated stack config; the CLI
(`carelift plan landing | runbook | export --format azure-migrate-csv`) does the reading and writing.
"""
