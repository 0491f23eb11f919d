"""The migration planner: pure functions from an inventory and settings to a plan.

readiness → strategy → sizing → cost → move groups → waves → schedule. Nothing here touches
the store or the CLI (DESIGN.md: planning depends on the inventory model only).
"""
