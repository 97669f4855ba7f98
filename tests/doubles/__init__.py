"""Conformant doubles written apart from the bundled reference (see independent.py)."""
