"""Whatever a client sends to a create endpoint, the answer is a 200 or a PostGrid 4xx, never a
500 (property-based: random JSON in every member)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FROM, TO, url

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
BASES = {
    "letters": {"to": TO, "from": FROM, "html": "<p>x</p>"},
    "postcards": {"to": TO, "frontHTML": "f", "backHTML": "b"},
    "cheques": {"to": TO, "from": FROM, "bankAccount": "bank_x", "amount": 100},
    "contacts": dict(TO),
    "templates": {"html": "<p>t</p>"},
    "bank_accounts": {"bankName": "B", "accountNumber": "12345678"},
}
MEMBERS = sorted(
    {name for body in BASES.values() for name in body}
    | {"mergeVariables", "metadata", "sendDate", "size", "color", "doubleSided", "pdf"}
    | {"mailingClass", "extraService", "template", "description", "number", "memo"}
)


@pytest.mark.parametrize("resource", sorted(BASES))
def test_no_body_makes_a_500(api, resource):
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(changes=st.dictionaries(st.sampled_from(MEMBERS), JSON, min_size=1, max_size=3))
    def check(changes):
        response = api.post(url(resource), {**BASES[resource], **changes})
        assert response.status_code in (200, 400), (changes, response.content)
        if response.status_code == 400:
            assert set(response.json()) == {"error"}

    check()
