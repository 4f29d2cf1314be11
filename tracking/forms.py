"""Query-string forms of the agents' pages: what a link may ask for, checked and explained."""

from __future__ import annotations

from django import forms

from shipdesk.keyset import InvalidCursor
from shipdesk.models import Partner
from tracking.carriers.registry import SUPPORTED_SLUGS
from tracking.choices import Tag
from tracking.filtersets import ACTIVE, INACTIVE
from tracking.models import Shipment
from tracking.selectors import ATTENTION_KINDS, SORTS

PAGE_SIZES = (25, 50, 100)
# Numbered page links jump by OFFSET, cheap only this far in; beyond, pages follow cursors.
OFFSET_LIMIT = 1_000


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultPageForm(forms.Form):
    """Sort, page size and position (a cursor, or a page number within OFFSET_LIMIT rows)."""

    sort = forms.ChoiceField(
        choices=[(k, s.label) for k, s in SORTS.items()], required=False, label="Sort by"
    )
    size = forms.TypedChoiceField(
        choices=[(n, str(n)) for n in PAGE_SIZES],
        coerce=int,
        empty_value=PAGE_SIZES[0],
        required=False,
        label="Per page",
    )
    page = forms.IntegerField(min_value=1, max_value=10_000_000, required=False, label="Page")
    after = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)
    before = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)

    def clean_sort(self):
        return self.cleaned_data["sort"] or "updated"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        after, before = data.get("after"), data.get("before")
        if after and before:
            raise forms.ValidationError("A page link has either 'after' or 'before', not both.")
        data["page"] = page = data.get("page") or 1
        key = SORTS[data["sort"]].key
        for name in ("after", "before"):
            try:
                data[name] = key.decode(data[name], Shipment) if data[name] else None
            except InvalidCursor:
                self.add_error(
                    name, "This page link is no longer valid: start again from the first page."
                )
        data["offset"] = 0
        if not (after or before) and page > 1:
            data["offset"] = (page - 1) * data["size"]
            if data["offset"] >= OFFSET_LIMIT:
                self.add_error(
                    "page",
                    f"Page {page} is past the first {OFFSET_LIMIT:,} results: "
                    "go there with Next, or narrow the search.",
                )
        return data

    def position(self) -> dict:
        """Where the page starts, as shipdesk.keyset.keyset_page takes it."""
        data = self.cleaned_data
        if data["after"] or data["before"]:
            return {"after": data["after"], "before": data["before"]}
        return {"offset": data["offset"]}


class ShipmentSearchForm(ResultPageForm):
    q = forms.CharField(
        max_length=200,
        required=False,
        label="Search",
        help_text="Tracking number, order, customer name, e-mail, phone or title.",
    )
    tag = forms.ChoiceField(
        choices=[("", "Any status"), *Tag.choices], required=False, label="Status"
    )
    carrier = forms.ChoiceField(
        choices=[("", "Any carrier"), *((s, s.upper()) for s in SUPPORTED_SLUGS)],
        required=False,
    )
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.order_by("name"),
        to_field_name="public_id",
        required=False,
        empty_label="Any partner",
    )
    created_from = forms.DateField(required=False, label="Created from", widget=date_input())
    created_to = forms.DateField(required=False, label="Created to", widget=date_input())
    updated_from = forms.DateField(required=False, label="Updated from", widget=date_input())
    updated_to = forms.DateField(required=False, label="Updated to", widget=date_input())
    state = forms.ChoiceField(
        choices=[("", "Active or not"), (ACTIVE, "Active"), (INACTIVE, "Completed or expired")],
        required=False,
        label="Tracking",
    )

    FILTERS = (
        "q",
        "tag",
        "carrier",
        "partner",
        "created_from",
        "created_to",
        "updated_from",
        "updated_to",
        "state",
    )
    date_ranges = (("created_from", "created_to"), ("updated_from", "updated_to"))

    def clean(self):
        data = super().clean()
        for start, end in self.date_ranges:
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, f"Must be on or after {self.fields[start].label.lower()}.")
        return data

    def filters(self) -> dict:
        """Keyword arguments of tracking.filtersets.shipments_filter."""
        return {name: self.cleaned_data[name] for name in self.FILTERS}

    def filtering(self) -> bool:
        """Any filter besides the search box is set (the filters then show open)."""
        return any(self.cleaned_data.get(name) for name in self.FILTERS if name != "q")


class AttentionForm(ResultPageForm):
    kind = forms.ChoiceField(
        choices=[(k.key, k.label) for k in ATTENTION_KINDS], required=False, label="Queue"
    )

    def clean_kind(self):
        return self.cleaned_data["kind"] or ATTENTION_KINDS[0].key
