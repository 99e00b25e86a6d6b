"""Livskvalitet: the hand-over to the person on the tablet, staff entry, ratings over time."""
# The blueprint lives in views.py; person_pages.py (the welcome, the comparison with last
# time) and self_report.py (AUDIT-C, DUDIT … handed over) add routes to it. The app factory
# imports all three before it registers the blueprint. Nothing is imported here: other
# packages import livskvalitet.ratings, and that must not pull in the views.
