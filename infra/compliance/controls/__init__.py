"""Controls by service, one module each.

A control is a check function decorated with `infra.compliance.registry.control`, which registers
it (with its scope) in the catalog. Importing this package imports every module in it, in name
order, so the catalog is complete without a list to keep: a new control is one decorated function,
a new service one module here.
"""

import importlib
import pkgutil

for _module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
del _module
