"""Reporting: figures, terminal tables and the run folder."""
