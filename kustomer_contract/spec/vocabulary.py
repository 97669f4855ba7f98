"""Names a spec may use whose meaning the engine supplies.

``generate.values`` implements each ``x-generate`` kind; tests/test_guarantees.py holds the two
lists together, as it does the guarantee ids."""

GENERATE_KINDS = frozenset({"date-time", "email", "jwt", "object-id", "phone", "uri", "username"})
