"""Livskvalitet: the hand-over to the person on the tablet, staff entry, ratings over time."""
