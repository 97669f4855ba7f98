"""Read payload files (JSON, JSON Lines, YAML) with the source position of every value.

Each payload comes with a map from JSON pointer to the (line, column) where that value starts,
so a schema error can point at the exact spot in the file. Input is untrusted: every failure
becomes a :class:`ReadProblem` with a position and a one-line message; nothing here raises on
bad bytes. One module per format (``jsontext``, ``jsonl``, ``yamltext``), the files and
standard input in ``files``, what they yield in ``base``.
"""

from .base import (
    KINDS,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Payload,
    ReadProblem,
    Settled,
)
from .files import Skipped, display_path, iter_payload_files, prejudged, read_lines, read_payloads
from .jsontext import parse_json

__all__ = [
    "KINDS",
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Payload",
    "ReadProblem",
    "Settled",
    "Skipped",
    "display_path",
    "iter_payload_files",
    "parse_json",
    "prejudged",
    "read_lines",
    "read_payloads",
]
