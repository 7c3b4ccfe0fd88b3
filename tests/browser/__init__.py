"""Helpers for the study site's tests: fixture palaces, HTML inspection, a sub-path server."""
