"""From a spec to data: hypothesis strategies for payloads, responses and whole call
sequences (``cases``). Reads ``spec`` and ``_core`` only."""
