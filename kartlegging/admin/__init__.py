"""User and team administration in the web, for admins: users, teams, moving a person."""
