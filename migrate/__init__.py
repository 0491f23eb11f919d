"""carelift's command line: inventory, dependencies, planning, reports, and the infra/audit front end."""

__version__ = "0.1.0"
