"""Pulumi entry point (``main: infra/`` in Pulumi.yaml).

Pulumi puts this directory, not the repository root, on sys.path: imports are absolute
(`infra.…`) and the project is installed into Pulumi's virtualenv (requirements.txt).
"""

from infra.program import main

main()
