"""Proof of delivery from the shipment page: download shipdesk's letter, e-mail it, or ask USPS.

Sending is confirmed before anything happens: the form's first POST shows what would be sent
(changing nothing), the second, with `confirm`, queues it and returns to the shipment page,
where the request's outcome appears once the worker has sent it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from shipdesk.audit import Actor
from shipdesk.roles import agent_required
from tracking.models import PodRequest, Shipment
from tracking.pod.eligibility import pod_options
from tracking.pod.errors import PodError
from tracking.pod.forms import LetterEmailForm, PodForm, UspsPodForm
from tracking.pod.letter import LetterUnavailable
from tracking.services.pod import (
    PodRequestError,
    pod_letter_download,
    pod_letter_email,
    pod_request_check,
    pod_request_usps,
)


@require_GET
@agent_required
def letter_pdf(request, public_id: str):
    shipment = get_object_or_404(Shipment, public_id=public_id)
    letter_type = request.GET.get("type", PodRequest.LetterType.PROOF_OF_DELIVERY)
    try:
        letter = pod_letter_download(
            shipment=shipment, letter_type=letter_type, actor=Actor.for_user(request.user)
        )
    except (PodRequestError, PodError, LetterUnavailable) as exc:
        messages.error(request, f"No proof of delivery letter for {shipment}. {exc}")
        return redirect("shipment-detail", public_id=public_id)
    response = HttpResponse(letter.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    return response


@require_http_methods(["GET", "POST"])
@agent_required
def letter_email(request, public_id: str):
    return _send(
        request,
        public_id,
        form_class=LetterEmailForm,
        title="E-mail the proof of delivery letter",
        explanation=(
            "shipdesk e-mails its signed letter (PDF) to each address separately. "
            "The letter carries its own verification: recipients can check it without us."
        ),
        send=lambda shipment, form, actor: pod_letter_email(
            shipment=shipment,
            letter_type=form.cleaned_data["letter_type"],
            emails=[r["email"] for r in form.recipients() if r["email"]],
            actor=actor,
        ),
    )


@require_http_methods(["GET", "POST"])
@agent_required
def usps_request(request, public_id: str):
    return _send(
        request,
        public_id,
        form_class=UspsPodForm,
        title="Ask USPS for its proof of delivery",
        explanation=(
            "USPS e-mails its own record of the delivery to the people below (first and last "
            "name and e-mail for each). Requests count against the hourly USPS budget."
        ),
        send=lambda shipment, form, actor: pod_request_usps(
            shipment=shipment,
            letter_type=form.cleaned_data["letter_type"],
            recipients=form.recipients(),
            actor=actor,
        ),
    )


def _send(request, public_id: str, *, form_class: type[PodForm], title, explanation, send):
    shipment = get_object_or_404(Shipment, public_id=public_id)
    options = pod_options(shipment)
    posted = request.method == "POST"
    if posted:
        form = form_class(request.POST, options=options)
    else:
        form = form_class(options=options, initial=form_class.prefill(shipment))
    if not form.allowed:
        messages.error(request, f"Nothing to send for {shipment}. {options.reason}")
        return redirect("shipment-detail", public_id=public_id)
    recipients: list[dict] = []
    if posted and form.is_valid():
        try:
            recipients = pod_request_check(
                shipment=shipment,
                channel=form.channel,
                letter_type=form.cleaned_data["letter_type"],
                recipients=form.recipients(),
            )
            if request.POST.get("confirm") == "yes":
                pod_request = send(shipment, form, Actor.for_user(request.user))
                messages.success(
                    request,
                    f"{pod_request.get_letter_type_display()} ({pod_request.get_channel_display()})"
                    f" queued for {', '.join(pod_request.emails)}: its outcome shows below once "
                    "it is sent.",
                )
                return redirect("shipment-detail", public_id=public_id)
        except PodRequestError as exc:
            form.add_service_error(exc)
            recipients = []
    confirming = bool(recipients) and not form.errors and "edit" not in request.POST
    return render(
        request,
        "tracking/pod_send.html",
        {
            "shipment": shipment,
            "form": form,
            "title": title,
            "explanation": explanation,
            "confirming": confirming,
            "recipients": recipients,
            "letter_label": (
                PodRequest.LetterType(form.cleaned_data["letter_type"]).label if confirming else ""
            ),
        },
        status=400 if posted and form.errors else 200,
    )
