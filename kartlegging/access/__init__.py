"""Access: login, two-factor, accounts, the guard (fences, headers, timeout), the audit log."""
