"""Creating a label in admin (Managers): the addresses and the parcel, a rates table for the
shipper account (sandbox or live USPS) to choose a service from, then the purchase through the
label service, as the Postmen API makes it.

Never two labels for one form: the form carries an order number from its first showing (or
the one the manager typed), and a label create with an order number already used on the account
answers that label (a double click, a resend after a timeout) instead of buying another.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from mailorders.choices import LabelServiceType, PaperSize
from mailorders.models import Label, ShipperAccount
from mailorders.services.common import LabelError
from mailorders.services.label_requests import label_request_clean
from mailorders.services.labels import label_create
from mailorders.services.rates import parcel_of, postal_address_of, rates_shop
from shipdesk.audit import Actor

ADDRESS_FIELDS = (
    ("contact_name", "Name", True),
    ("company_name", "Company", False),
    ("street1", "Street", True),
    ("street2", "Apartment, suite", False),
    ("city", "City", True),
    ("state", "State", True),
    ("postal_code", "ZIP Code", True),
    ("phone", "Phone", False),
    ("email", "E-mail", False),
)
# Postmen request paths → this form's fields (for refusals naming a field).
PATHS = {
    **{f"shipment.ship_from.{name}": f"from_{name}" for name, _, _ in ADDRESS_FIELDS},
    **{f"shipment.ship_to.{name}": f"to_{name}" for name, _, _ in ADDRESS_FIELDS},
    "shipment.parcels.0.weight.value": "weight_lb",
    "shipment.parcels.0.weight": "weight_lb",
    "shipment.parcels.0.dimension.depth": "length_in",
    "shipment.parcels.0.dimension.width": "width_in",
    "shipment.parcels.0.dimension.height": "height_in",
    "shipment.parcels.0.dimension": "length_in",
    "ship_date": "ship_date",
    "order_number": "order_number",
    "shipper_account.id": "shipper_account",
    "service_type": "rate",
    "shipment.parcels.0.box_type": "rate",
}


class AccountChoice(forms.ModelChoiceField):
    def label_from_instance(self, account):
        kind = "sandbox" if account.sandbox else f"USPS {account.usps_environment}"
        return f"{account.description} — {account.partner.name} ({kind})"


class LabelCreateForm(forms.Form):
    shipper_account = AccountChoice(
        queryset=ShipperAccount.objects.select_related("partner").order_by(
            "partner__name", "description", "id"
        )
    )
    weight_lb = forms.DecimalField(
        label="Weight (lb)", min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )
    length_in = forms.DecimalField(
        label="Length (in)", min_value=Decimal("0.1"), max_digits=6, decimal_places=2
    )
    width_in = forms.DecimalField(
        label="Width (in)", min_value=Decimal("0.1"), max_digits=6, decimal_places=2
    )
    height_in = forms.DecimalField(
        label="Height (in)", min_value=Decimal("0.1"), max_digits=6, decimal_places=2
    )
    ship_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    paper_size = forms.ChoiceField(choices=PaperSize.choices, initial=PaperSize.SIZE_4X6)
    reference = forms.CharField(max_length=100, required=False)
    order_number = forms.CharField(
        max_length=100,
        required=False,
        help_text="Optional. The same order number on the same account never buys twice.",
    )
    attempt = forms.CharField(widget=forms.HiddenInput, max_length=40)
    rate = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for side in ("from", "to"):
            for name, label, required in ADDRESS_FIELDS:
                self.fields[f"{side}_{name}"] = forms.CharField(
                    label=label,
                    max_length=255,
                    required=required,
                )

    def from_fields(self):
        return [self[f"from_{name}"] for name, _, _ in ADDRESS_FIELDS]

    def to_fields(self):
        return [self[f"to_{name}"] for name, _, _ in ADDRESS_FIELDS]

    def parcel_fields(self):
        return [self[name] for name in ("weight_lb", "length_in", "width_in", "height_in")]

    def other_fields(self):
        return [self[name] for name in ("ship_date", "paper_size", "reference", "order_number")]

    def order_number_used(self) -> str:
        typed = self.cleaned_data.get("order_number", "").strip()
        return typed or f"admin-{self.cleaned_data['attempt']}"

    def postmen_body(self, *, service_type: str, box_type: str) -> dict:
        data = self.cleaned_data

        def address(side: str) -> dict:
            found = {name: data[f"{side}_{name}"] for name, _, _ in ADDRESS_FIELDS}
            return {**{k: v for k, v in found.items() if v}, "country": "USA"}

        return {
            "shipper_account": {"id": data["shipper_account"].pk},
            "service_type": service_type,
            "paper_size": data["paper_size"],
            "ship_date": data["ship_date"].isoformat(),
            "references": [data["reference"]] if data["reference"] else [],
            "order_number": self.order_number_used(),
            "shipment": {
                "ship_from": address("from"),
                "ship_to": address("to"),
                "parcels": [
                    {
                        "box_type": box_type,
                        "weight": {"unit": "lb", "value": float(data["weight_lb"])},
                        "dimension": {
                            "unit": "in",
                            "depth": float(data["length_in"]),
                            "width": float(data["width_in"]),
                            "height": float(data["height_in"]),
                        },
                        "items": [],
                    }
                ],
            },
        }

    def add_refusal(self, exc: LabelError) -> None:
        """The refusal's details as errors on the fields they name (the others on the form)."""
        for detail in exc.details:
            name = PATHS.get(detail.get("path", ""))
            info = detail.get("info") or str(exc)
            if name and name in self.fields and not self.fields[name].widget.is_hidden:
                self.add_error(name, info)
            else:
                self.add_error(None, info)


class LabelCreateMixin:
    """For LabelAdmin: a "Create a label" page with its rates table."""

    def get_urls(self):
        view = path(
            "create/",
            self.admin_site.admin_view(self.label_create_view),
            name="mailorders_label_create",
        )
        return [view, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"label_like_url": None, **(extra_context or {})}
        if self.has_manage_permission(request):
            extra["label_like_url"] = f"{reverse('admin:mailorders_label_create')}?like={object_id}"
        return super().change_view(request, object_id, form_url, extra)

    def changelist_view(self, request, extra_context=None):
        extra = {"label_create_url": None, **(extra_context or {})}
        if self.has_manage_permission(request):
            extra["label_create_url"] = reverse("admin:mailorders_label_create")
        return super().changelist_view(request, extra)

    def label_create_view(self, request):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        shop = None
        if request.method != "POST":
            initial = {"attempt": uuid.uuid4().hex, "ship_date": timezone.localdate()}
            like = Label.objects.filter(pk=request.GET.get("like", "")).first()
            form = LabelCreateForm(initial={**initial, **(_initial_like(like) if like else {})})
        else:
            form = LabelCreateForm(request.POST)
            if form.is_valid() and "buy" in request.POST:
                bought = self._buy(request, form)
                if bought is not None:
                    return bought
            if form.is_valid():  # "Get rates", or a refused purchase: the table again
                shop = self._rates(request, form)
        context = {
            **self.admin_site.each_context(request),
            "title": "Create a label",
            "opts": self.opts,
            "form": form,
            "shop": shop,
            "chosen": request.POST.get("rate", ""),
        }
        return TemplateResponse(request, "admin/mailorders/label/create.html", context)

    def _rates(self, request, form: LabelCreateForm):
        body = form.postmen_body(service_type=LabelServiceType.PRIORITY_MAIL, box_type="custom")
        try:
            cleaned = label_request_clean(data=body)
            return rates_shop(
                account=form.cleaned_data["shipper_account"],
                origin=postal_address_of(cleaned["ship_from"]),
                destination=postal_address_of(cleaned["ship_to"]),
                parcel=parcel_of(cleaned["parcels"][0]),
                ship_date=cleaned["ship_date"],
            )
        except LabelError as exc:
            form.add_refusal(exc)
            messages.error(request, f"No rates: {_said(exc)}")
            return None

    def _buy(self, request, form: LabelCreateForm):
        service_type, _, box_type = form.cleaned_data.get("rate", "").partition("|")
        if service_type not in LabelServiceType.values or not box_type:
            form.add_error(None, "Choose a service in the rates table first.")
            return None
        account = form.cleaned_data["shipper_account"]
        order_number = form.order_number_used()
        earlier = Label.objects.filter(shipper_account=account, order_number=order_number).first()
        try:
            label = label_create(
                partner=account.partner,
                data=form.postmen_body(service_type=service_type, box_type=box_type),
                live=not account.sandbox,
                actor=Actor.for_user(request.user),
            )
        except LabelError as exc:
            form.add_refusal(exc)
            messages.error(request, f"No label was made: {_said(exc)}")
            return None
        url = reverse("admin:mailorders_label_change", args=[label.pk])
        if earlier is not None:
            messages.warning(
                request,
                f"The order number {order_number} already has {label} on this account: "
                "nothing more was bought.",
            )
        else:
            messages.success(
                request,
                f"Created {label} ({label.tracking_number}, {label.service_name}, "
                f"{label.charge_amount} {label.charge_currency}) on {account}.",
            )
        return redirect(url)


def _said(exc: LabelError) -> str:
    infos = [d["info"] for d in exc.details if d.get("info") and d["info"] != str(exc)]
    return " ".join([str(exc), *infos])


def _initial_like(label: Label) -> dict:
    """A new label's form filled from `label` (its account, addresses, parcel; a new order
    number), e.g. to ship again to an address corrected since."""
    parcel = parcel_of(label.parcels[0]) if label.parcels else None
    initial = {
        "shipper_account": label.shipper_account_id,
        "paper_size": label.paper_size,
        "reference": label.references[0] if label.references else "",
    }
    for side, stored in (("from", label.ship_from), ("to", label.ship_to)):
        for name, _, _ in ADDRESS_FIELDS:
            initial[f"{side}_{name}"] = (stored or {}).get(name, "")
    if parcel is not None:
        initial.update(
            weight_lb=max(parcel.weight_lb.quantize(Decimal("0.01")), Decimal("0.01")),
            length_in=parcel.length_in,
            width_in=parcel.width_in,
            height_in=parcel.height_in,
        )
    return initial
