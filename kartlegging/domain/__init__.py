"""The pure domain: instruments, rules over answers, identity numbers, consent rules, charts.

No Flask, no database, nothing from the other packages of kartlegging.
"""
