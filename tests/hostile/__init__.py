"""Hostile and malformed import files, generated at test time (nothing binary is committed)."""
