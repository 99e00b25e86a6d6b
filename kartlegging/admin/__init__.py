"""User and team administration for admins (issue 23)."""
