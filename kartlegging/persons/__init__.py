"""Persons: registration, the person page, samtykke, fast kontaktperson and koordinator."""
