"""Team lead: oppfølging (who is due), printing, IP follow-up figures, anonymised trends."""
