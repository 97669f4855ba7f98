"""Runs cases through a driver and judges what it observed: state, checks, the case runner
and the search, settings with their defaults, a configured session, coverage."""
