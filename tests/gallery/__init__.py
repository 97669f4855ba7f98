"""A gallery of Kustomer Web SDK doubles, each breaking one guarantee on purpose.

Every module exposes a zero-argument factory ``make()`` and a constant ``GUARANTEE`` naming
the guarantee it breaks (see the module docstring for how). ``conformant_standalone`` is the
exception: a correct implementation written from DESIGN.md alone, which must pass everything.
Modules whose name starts with ``_`` are helpers, not gallery entries.
"""
