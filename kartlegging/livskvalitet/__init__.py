"""Livskvalitet: the hand-over to the person on the tablet, staff entry, ratings over time."""
# The blueprint lives in views.py; these modules add routes to it (the welcome and the
# comparison with last time; AUDIT-C, DUDIT … handed over). Imported here, when the package
# is, so that views.py needs no import of the modules that import it.
from . import person_pages, self_report  # noqa: F401
