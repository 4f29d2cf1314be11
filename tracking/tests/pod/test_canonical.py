"""Canonical JSON (RFC 8785 subset): the bytes shipdesk hashes and signs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.pod.canonical import CanonicalError, _write, canonical_json


def test_keys_sorted_no_whitespace_utf8():
    value = {"b": [1, True, None, "x"], "a": {"z": False, "m": -0}, "é": "ü€"}
    assert (
        canonical_json(value) == '{"a":{"m":0,"z":false},"b":[1,true,null,"x"],"é":"ü€"}'.encode()
    )
    assert json.loads(canonical_json(value)) == value


def test_keys_sort_by_utf16_code_units_as_rfc_8785_says():
    # U+1F600 (surrogates D83D DE00) sorts before U+FB01 in UTF-16, after it by code point.
    value = {"\ufb01": 1, "\U0001f600": 2, "a": 3}
    assert canonical_json(value) == '{"a":3,"\U0001f600":2,"\ufb01":1}'.encode()


def test_string_escapes_are_the_minimal_ones():
    text = 'quote " backslash \\ tab \t newline \n nul \x00 del \x7f slash / é'
    assert canonical_json(text) == (
        b'"quote \\" backslash \\\\ tab \\t newline \\n nul \\u0000 del \x7f slash / \xc3\xa9"'
    )


@pytest.mark.parametrize(
    "value", [1.5, float("nan"), 2**53, -(2**53), {1: "a"}, {"a": {1, 2}}, "\ud800", b"x"]
)
def test_what_is_outside_the_subset_is_refused(value):
    with pytest.raises(CanonicalError):
        canonical_json(value)


def test_the_largest_safe_integers_are_fine():
    assert canonical_json([2**53 - 1, -(2**53 - 1)]) == b"[9007199254740991,-9007199254740991]"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_the_fast_path_writes_what_the_general_writer_writes(value):
    try:
        expected = "".join(_general(value)).encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(CanonicalError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected
    assert json.loads(expected) == value


def _general(value) -> list[str]:
    parts: list[str] = []
    _write(value, parts)
    return parts
