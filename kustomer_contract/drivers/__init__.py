"""The engine's way out: a driver calls one implementation (Python, JavaScript under Node, a
page in Chromium) and reports what it returned and what its callbacks got."""
