"""Workflows over the workspace: what a `carelift` command does between its options and its output,
where it needs the workspace store as well as a pure package.

Planning never imports the store (../shared/DESIGN.md; tests/test_imports.py), and the store never
imports planning, so the steps that read an inventory from a workspace, plan it, land it in a stack
and store or read plans sit here, one layer above both: the CLI calls them, and so can a notebook,
a report writer or a test, without click. Nothing here prints; a user mistake raises an
`infra.errors.CareliftError` whose title and problems are what the CLI prints.

- `sources`: opening a workspace that holds an inventory; the plan to use (the latest stored one,
  or a plan file).
- `plan`: computing, digesting and storing a plan; the stored plan's views (timeline, explain).
- `landing`: the plan joined to a stack: targets, the landing overlay, runbooks, Azure Migrate's CSV.
"""
