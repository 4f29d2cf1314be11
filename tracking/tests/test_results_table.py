"""The result table's rows and the search form's filters, written by template tags
(tracking/templatetags/results_table.py): the same HTML the template language wrote, and the
search page's reads without a server-side cursor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shipdesk.services import partner_get_or_create
from tracking.forms import ShipmentSearchForm
from tracking.selectors import CheckpointRow, ResultRow
from tracking.templatetags.results_table import filter_fields, result_rows

# The row and the filters as templates/tracking/_results.html and search.html wrote them in
# the template language.
ROW_TEMPLATE = """{% for s in page.rows %}
    <tr>
      <th scope="row" data-label="Tracking number"><a href="{{ shipments_url }}{{ s.public_id }}/">{{ s.tracking_number }}</a> <span class="muted">{{ s.carrier }}</span>{% if s.from_label %} <span class="badge source-label" title="Created by a shipping label">label</span>{% endif %}</th>
      <td data-label="Status"><span class="badge tag-{{ s.tag|lower }} pill" title="{{ s.subtag_message }}">{{ s.tag_label }}</span></td>
      <td data-label="Last checkpoint" class="fluid">{% with cp=s.last_checkpoint %}{% if cp %}<span class="cut" title="{{ cp.message }}{% if cp.place %} · {{ cp.place }}{% endif %} · {{ cp.when }}">{{ cp.message }}<span class="muted">{% if cp.place %} · {{ cp.place }}{% endif %} · {{ cp.when }}</span></span>{% else %}<span class="muted">No checkpoint yet</span>{% endif %}{% endwith %}</td>
      <td data-label="Customer"><span class="cut narrow-cut" title="{{ s.customer_name }}">{{ s.customer_name|default:"—" }}</span></td>
      <td data-label="Order">{{ s.order_number|default:s.order_id|default:"—" }}</td>
      <td data-label="Partner"><span class="cut narrow-cut" title="{{ s.partner_name }}">{{ s.partner_name }}</span></td>
      <td data-label="Age">{{ s.age }}</td>
    </tr>
  {% endfor %}"""  # noqa: E501 (the template's own lines)
FILTERS_TEMPLATE = """{% load results_table %}{% for f in form %}{% if f.name != "q" and not f.is_hidden and f.name != "page" %}
        <p><label for="{{ f.id_for_label }}">{{ f.label }}</label>
        {% if f.widget_type == "select" %}<select name="{{ f.html_name }}" id="{{ f.id_for_label }}">{% for value, label, selected in f|options %}<option value="{{ value }}"{% if selected %} selected{% endif %}>{{ label }}</option>{% endfor %}</select>{% elif f.widget_type == "date" %}<input type="date" name="{{ f.html_name }}" id="{{ f.id_for_label }}" value="{{ f.value|default:'' }}">{% else %}{{ f }}{% endif %}</p>
      {% endif %}{% endfor %}"""  # noqa: E501

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
AWKWARD = "Zoë <b>Bold</b> & \"quoted\" 's'"


def row(i: int, **fields) -> ResultRow:
    values = {
        "id": i,
        "public_id": f"p{i:023d}",
        "tracking_number": f"9400{i:018d}",
        "slug": "usps",
        "tag": "InTransit",
        "subtag_message": AWKWARD,
        "customer_name": AWKWARD,
        "order_id": "",
        "order_number": "",
        "created_at": NOW - timedelta(minutes=90 * i),
        "updated_at": NOW,
        "order_promised_delivery_date": None,
        "source": "api",
        "partner_name": AWKWARD,
        "last_checkpoint_id": None,
        "last_checkpoint": None,
        **fields,
    }
    return ResultRow(**values)


def checkpoint(**fields) -> CheckpointRow:
    values = {
        "id": 1,
        "message": AWKWARD,
        "city": "NEW YORK",
        "state": "NY",
        "country_iso3": "USA",
        "checkpoint_time": NOW - timedelta(hours=3),
        "utc_offset_minutes": -300,
        **fields,
    }
    return CheckpointRow(**values)


ROWS = [
    row(1),
    row(2, source="label", tag="Exception", order_id="ORD <2>", last_checkpoint=checkpoint()),
    row(3, customer_name="", order_number="#3", last_checkpoint=checkpoint(city="", state="")),
    row(4, last_checkpoint=checkpoint(utc_offset_minutes=None, city="phoenix", state="AZ")),
    row(5, last_checkpoint=checkpoint(city="Mumbai", state="MH", country_iso3="IND")),
]


def test_the_rows_are_the_html_the_template_wrote(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    context = {"page": {"rows": ROWS}, "shipments_url": "/shipments/"}
    expected = engines["django"].from_string(ROW_TEMPLATE).render(context)

    written = result_rows(ROWS, "/shipments/")

    assert written == expected
    assert "Zoë &lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; &#x27;s&#x27;" in written
    assert result_rows([], "/shipments/") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=x&tag=Delivered&sort=promised&size=50&state=active&carrier=usps",
        "created_from=2026-13-01&updated_to=2026-12-01&partner=nobody",
    ],
)
def test_the_filters_are_the_html_the_template_wrote(query):
    partner = partner_get_or_create(name=AWKWARD)
    form = ShipmentSearchForm(QueryDict(f"{query}&partner={partner.public_id}"))
    form.is_valid()
    expected = engines["django"].from_string(FILTERS_TEMPLATE).render({"form": form})

    written = filter_fields(ShipmentSearchForm(form.data))

    assert written == expected
    assert f'<option value="{partner.public_id}" selected>Zoë &lt;b&gt;' in written


@pytest.mark.django_db
def test_an_unbound_forms_dates_are_shown_as_the_template_showed_them():
    form = ShipmentSearchForm(initial={"created_from": date(2026, 11, 2)})
    expected = engines["django"].from_string(FILTERS_TEMPLATE).render({"form": form})

    assert filter_fields(ShipmentSearchForm(initial=form.initial)) == expected


@pytest.mark.django_db
def test_the_search_page_reads_its_partners_without_a_server_side_cursor(agent_client, partner):
    # On PostgreSQL Django's own choice iterator declares a cursor (three round trips).
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(reverse("shipment-search"), {"q": "nobody"})
    assert response.status_code == 200
    assert f'<option value="{partner.public_id}">' in response.content.decode()
    assert not [q for q in queries.captured_queries if "DECLARE" in q["sql"]]
