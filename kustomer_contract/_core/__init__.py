"""Primitives with no knowledge of contracts: JSON pointers, short text, payload files read
with positions, JSON differences, files written safely. Imports nothing of the package."""
