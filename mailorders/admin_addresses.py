""" "Validate address" on a mail order's and a label's admin page: USPS's standardised address
and corrections (ZIP+4, delivery point, business, vacant) beside the stored one, and a button
to accept them (Managers). The accept carries what was checked, signed, so it needs no second
USPS call and cannot be altered on the way; a stored address changed meanwhile is refused."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from mailorders.models import Label, MailOrder
from mailorders.services.address_checks import AddressCheckError, address_check
from mailorders.services.address_corrections import (
    LABEL_PRINTED,
    LABEL_SIDES,
    AddressCorrectionError,
    address_key,
    contact_postal_address,
    label_address_accept,
    label_postal_address,
    order_address_accept,
    order_address_refusal,
)
from mailorders.services.common import LabelError
from shipdesk.audit import Actor
from tracking.carriers.shipping import PostalAddress

SALT = "mailorders.admin.validate-address"
ACCEPT_MAX_AGE = 3600  # seconds a checked address may wait to be accepted
ROWS = (
    ("street", "Street"),
    ("secondary", "Apartment, suite"),
    ("city", "City"),
    ("state", "State"),
    ("zip_code", "ZIP Code"),
    ("zip_plus4", "ZIP+4"),
)
DPV = {
    "Y": "Yes: USPS delivers to this address.",
    "D": "The building only: the apartment or suite number is missing.",
    "S": "The building only: the apartment or suite number is not one USPS knows.",
    "N": "No: USPS cannot confirm it as a delivery point.",
}


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not known")


class ValidateAddressMixin:
    """For a ModelAdmin: `address_sides`, `stored_address`, `check_account`, `accept_refusal` and
    `accept` say what the object's addresses are and how one is corrected."""

    change_form_template = "admin/mailorders/change_form_validate_address.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_validate_address"
        view = path(
            "<path:object_id>/validate-address/",
            self.admin_site.admin_view(self.validate_address_view),
            name=name,
        )
        return [view, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"validate_address_url": None, **(extra_context or {})}
        if self.has_manage_permission(request):
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_validate_address"
            extra["validate_address_url"] = reverse(name, args=[object_id])
        return super().change_view(request, object_id, form_url, extra)

    def validate_address_view(self, request, object_id: str):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        obj = self.validate_address_object(object_id)
        sides = self.address_sides(obj)
        side = request.POST.get("side") or request.GET.get("side") or next(iter(sides), "")
        if side not in sides:
            raise Http404("No such address.")
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        if request.method == "POST":
            return self._accept(request, obj, side, change_url)
        stored = self.stored_address(obj, side)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Validate the {sides[side].lower()} address of {obj}",
            "opts": self.opts,
            "original": obj,
            "change_url": change_url,
            "sides": [(key, label, f"?side={key}") for key, label in sides.items() if key != side],
            "side": side,
            "side_label": sides[side],
            "verdict": None,
            "error": "",
            "refusal": self.accept_refusal(obj, side),
            "note": self.accept_note(obj, side),
        }
        try:
            verdict = address_check(address=stored, account=self.check_account(obj))
        except (AddressCheckError, LabelError) as exc:
            context["error"] = _error_text(exc)
            messages.error(request, f"USPS could not check the address: {context['error']}")
            return TemplateResponse(request, "admin/mailorders/validate_address.html", context)
        usps = verdict.standardized
        changed = {change.field for change in verdict.changes}
        context.update(
            verdict=verdict,
            rows=[
                (label, getattr(stored, name), getattr(usps, name) if usps else "", name in changed)
                for name, label in ROWS
            ],
            dpv=DPV.get(verdict.dpv_confirmation, "Not known"),
            business=_yes_no(verdict.business),
            vacant=_yes_no(verdict.vacant),
            acceptable=bool(
                usps
                and verdict.changes
                and verdict.deliverable is not False
                and not context["refusal"]
            ),
        )
        if context["acceptable"]:
            context["token"] = signing.dumps(
                {
                    "object": f"{self.opts.label_lower}:{obj.pk}",
                    "side": side,
                    "before": address_key(stored),
                    "usps": asdict(usps),
                    "verified": verdict.source == "usps",
                },
                salt=SALT,
                compress=True,
            )
        return TemplateResponse(request, "admin/mailorders/validate_address.html", context)

    def _accept(self, request, obj, side: str, change_url: str):
        try:
            checked = signing.loads(
                request.POST.get("token", ""), salt=SALT, max_age=ACCEPT_MAX_AGE
            )
        except signing.BadSignature:  # SignatureExpired too
            messages.error(
                request,
                "That check is too old or was altered: nothing was changed. Validate the "
                "address again.",
            )
            return redirect(f"{request.path}?side={side}")
        if (
            checked.get("object") != f"{self.opts.label_lower}:{obj.pk}"
            or checked.get("side") != side
        ):
            messages.error(request, "That check was of another address: nothing was changed.")
            return redirect(f"{request.path}?side={side}")
        try:
            self.accept(
                obj,
                side,
                before=checked["before"],
                usps=PostalAddress(**checked["usps"]),
                verified=checked["verified"],
                actor=Actor.for_user(request.user),
            )
        except AddressCorrectionError as exc:
            messages.error(request, str(exc))
            return redirect(f"{request.path}?side={side}")
        text = f"Accepted USPS's address as the {self.address_sides(obj)[side].lower()} address."
        note = self.accept_note(obj, side)
        messages.success(request, f"{text} {note}".strip())
        return redirect(change_url)

    # --- what a model admin says --------------------------------------------------------

    def validate_address_object(self, object_id: str):
        obj = self.get_object_for_address(object_id)
        if obj is None:
            raise Http404("No such object.")
        return obj

    def accept_note(self, obj, side: str) -> str:
        return ""


class OrderAddressMixin(ValidateAddressMixin):
    def get_object_for_address(self, object_id: str) -> MailOrder | None:
        return self.model.objects.select_related("to").filter(pk=object_id).first()

    def address_sides(self, order) -> dict[str, str]:
        return {"to": "Recipient"}

    def stored_address(self, order, side: str) -> PostalAddress:
        return contact_postal_address(order.to)

    def check_account(self, order):
        return None  # the business's own USPS app (or the sandbox)

    def accept_refusal(self, order, side: str) -> str:
        return order_address_refusal(order)

    def accept_note(self, order, side: str) -> str:
        if order.uploaded_pdf:
            return "The order's PDF was uploaded as it is: it still shows the old address."
        return ""

    def accept(self, order, side, **kwargs) -> None:
        order_address_accept(order=order, **kwargs)


class LabelAddressMixin(ValidateAddressMixin):
    def get_object_for_address(self, object_id: str) -> Label | None:
        return Label.objects.select_related("shipper_account").filter(pk=object_id).first()

    def address_sides(self, label) -> dict[str, str]:
        return {side: name for side, name in LABEL_SIDES.items() if getattr(label, side)}

    def stored_address(self, label, side: str) -> PostalAddress:
        return label_postal_address(label, side)

    def check_account(self, label):
        return label.shipper_account

    def accept_refusal(self, label, side: str) -> str:
        return ""

    def accept_note(self, label, side: str) -> str:
        if label.status in LABEL_PRINTED:
            return (
                "The label already made keeps the address it was made with; to ship to the "
                "corrected address, cancel it and create a new one (Create a label like this "
                "one)."
            )
        return ""

    def accept(self, label, side, **kwargs) -> None:
        label_address_accept(label=label, side=side, **kwargs)


def _error_text(exc: LabelError) -> str:
    infos = [d["info"] for d in getattr(exc, "details", []) if d.get("info")]
    text = str(exc)
    return " ".join([text, *[i for i in infos if i != text]])
