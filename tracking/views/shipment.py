"""The shipment page and its actions. Every action is confirmed on a page of its own (a GET
never changes anything), then POSTed to a lifecycle service that writes the audit record."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_safe

from shipdesk.audit import Actor, audit_for
from shipdesk.roles import agent_required, is_manager, manager_required
from tracking import selectors
from tracking.choices import CompletedReason
from tracking.models import Shipment
from tracking.services.lifecycle import (
    MAX_RETRACKS,
    retrack_refusal,
    shipment_mark_completed,
    shipment_retrack,
)
from tracking.services.shipments import ShipmentError
from tracking.zones import shipment_zone

AUDIT_SHOWN = 20


class CompleteForm(forms.Form):
    reason = forms.ChoiceField(
        choices=CompletedReason.choices, widget=forms.RadioSelect, label="Completed as"
    )


@require_safe
@agent_required
def detail(request, public_id: str):
    shipment = get_object_or_404(selectors.shipment_page_queryset(), public_id=public_id)
    checkpoints = list(shipment.checkpoints.all())
    subscribers = list(shipment.subscribers.all())
    audit = list(audit_for(shipment)[: AUDIT_SHOWN + 1])
    return render(
        request,
        "tracking/shipment_detail.html",
        {
            "shipment": shipment,
            "checkpoints": checkpoints,
            "emails": [s.address for s in subscribers if s.channel == "email"],
            "phones": [s.address for s in subscribers if s.channel == "sms"],
            "audit_events": audit[:AUDIT_SHOWN],
            "audit_more": len(audit) > AUDIT_SHOWN,
            "zone": shipment_zone(shipment, checkpoints),
            "may_complete": is_manager(request.user),
            "complete_form": CompleteForm(),
            "max_retracks": MAX_RETRACKS,
            "retrack_refusal": retrack_refusal(shipment),
            "page_url": request.build_absolute_uri(request.path),
        },
    )


@require_http_methods(["GET", "POST"])
@agent_required
def retrack(request, public_id: str):
    if request.method == "POST":
        with transaction.atomic():
            shipment = _locked(public_id)
            try:
                shipment_retrack(shipment=shipment, actor=Actor.for_user(request.user))
            except ShipmentError as exc:
                messages.error(request, f"{shipment} was not retracked. {exc}")
            else:
                messages.success(
                    request,
                    f"{shipment} is tracked again ({shipment.retrack_count} of {MAX_RETRACKS} "
                    "retracks used): it is checked with the carrier shortly.",
                )
        return redirect("shipment-detail", public_id=public_id)
    shipment = get_object_or_404(Shipment, public_id=public_id)
    return render(
        request,
        "tracking/shipment_confirm.html",
        {
            "shipment": shipment,
            "title": f"Retrack {shipment}?",
            "explanation": (
                f"shipdesk checks it with the carrier again and keeps it up to date. A shipment "
                f"can be retracked {MAX_RETRACKS} times; this one has been retracked "
                f"{shipment.retrack_count} time{pluralize(shipment.retrack_count)}."
            ),
            "button": "Retrack",
        },
    )


@require_http_methods(["GET", "POST"])
@manager_required
def complete(request, public_id: str):
    posted = request.method == "POST"
    form = CompleteForm(request.POST if posted else request.GET or None)
    if posted and form.is_valid():
        reason = CompletedReason(form.cleaned_data["reason"])
        with transaction.atomic():
            shipment = _locked(public_id)
            shipment_mark_completed(
                shipment=shipment, reason=reason, actor=Actor.for_user(request.user)
            )
        messages.success(request, f"{shipment} is marked completed as {reason.label.lower()}.")
        return redirect("shipment-detail", public_id=public_id)
    shipment = get_object_or_404(Shipment, public_id=public_id)
    return render(
        request,
        "tracking/shipment_confirm.html",
        {
            "shipment": shipment,
            "title": f"Mark {shipment} completed?",
            "explanation": (
                "Its status follows the reason you choose and shipdesk stops checking it with "
                "the carrier. It can be retracked later."
            ),
            "form": form,
            "button": "Mark completed",
        },
        status=400 if posted else 200,
    )


def _locked(public_id: str) -> Shipment:
    """The shipment, locked until the transaction ends: two people acting on it at once act
    one after the other, each on what the other left (the retrack limit holds)."""
    return get_object_or_404(Shipment.objects.select_for_update(), public_id=public_id)
