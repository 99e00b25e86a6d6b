"""Access: login, two-factor, accounts, the fences and checks on every request, the audit log."""
