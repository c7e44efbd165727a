"""JSON for scripts, fast for long lists of flat records.

``json.dumps(..., indent=2)`` runs the pure-Python encoder (the C one is
only used without indentation): about 2 s for 100,000 cards. A list of flat
records (values that are strings, numbers, booleans, null or lists of
those) is written here directly, value by value, with the C string escaper,
giving exactly the bytes ``json.dumps(data, indent=2, ensure_ascii=False)``
gives (a test compares them); anything else goes to ``json.dumps``.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def _scalar(value: Any) -> str | None:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)
    return None  # NaN, infinity or something else: json.dumps decides


def _record(record: dict[str, Any]) -> str | None:
    parts = []
    for key, value in record.items():
        if isinstance(value, list):
            items = [_scalar(v) for v in value]
            if any(i is None for i in items):
                return None
            text = "[]" if not items else "[\n      " + ",\n      ".join(items) + "\n    ]"  # type: ignore[arg-type]
        else:
            text = _scalar(value)  # type: ignore[assignment]
            if text is None:
                return None
        parts.append(f"    {encode_basestring(key)}: {text}")
    return "  {}" if not parts else "  {\n" + ",\n".join(parts) + "\n  }"


def dumps(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)``, faster for a list of flat records."""
    if isinstance(data, list) and all(isinstance(r, dict) and all(isinstance(k, str) for k in r) for r in data):
        records = [_record(r) for r in data]
        if all(r is not None for r in records):
            return "[]" if not records else "[\n" + ",\n".join(records) + "\n]"  # type: ignore[arg-type]
    return json.dumps(data, indent=2, ensure_ascii=False)
