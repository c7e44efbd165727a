"""The fast JSON writer gives exactly json.dumps' bytes."""

from __future__ import annotations

import json

import pytest

from hypothesis import given
from hypothesis import strategies as st

from studycards import jsonout

pytestmark = pytest.mark.slow  # property-based

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
records = st.dictionaries(st.text(), st.one_of(scalars, st.lists(scalars, max_size=4)), max_size=6)


@given(st.lists(records, max_size=5))
def test_flat_records_are_written_exactly_as_json_dumps_writes_them(data):
    assert jsonout.dumps(data) == json.dumps(data, indent=2, ensure_ascii=False)


@given(st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10))
def test_anything_else_is_json_dumps(data):
    assert jsonout.dumps(data) == json.dumps(data, indent=2, ensure_ascii=False)
