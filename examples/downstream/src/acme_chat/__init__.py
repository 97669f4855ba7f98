"""Acme's chat integration; ``acme_chat.kustomer`` is its in-memory Kustomer for tests."""
