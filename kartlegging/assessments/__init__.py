"""Kartlegging drafts: one section per screen, autosave with optimistic locking."""
