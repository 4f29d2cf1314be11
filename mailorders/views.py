"""The agents' pages for mail orders: find one (by id, recipient, tracking number or
description) among letters, postcards, cheques and self-mailers, and read it; and the PDF of a
shipping label, downloaded from the page of the shipment it created."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mailorders import selectors
from mailorders.choices import OrderStatus
from mailorders.forms import MailSearchForm
from mailorders.models import ORDER_MODELS, Cheque, Label
from mailorders.pdf import amount_in_figures
from mailorders.representation import pdf_path
from mailorders.services.labels import label_pdf_open
from shipdesk.audit import Actor, audit_for
from shipdesk.roles import agent_required
from tracking.zones import place_zone

PAGE_SIZE = 25
AUDIT_EVENTS_SHOWN = 20
TYPE_LABELS = {
    "letter": "Letters",
    "postcard": "Postcards",
    "cheque": "Cheques",
    "self_mailer": "Self-mailers",
}


def recipient_zone(order):
    """Times of a mail order read in its recipient's zone, else the desk's."""
    return place_zone(order.to.province_or_state, order.to.country_code) or (
        timezone.get_current_timezone()
    )


@agent_required
def order_list(request):
    form = MailSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "mailorders/list.html", {"form": form}, status=400)
    q, kind, status = (form.cleaned_data[n] for n in ("q", "type", "status"))
    exact = selectors.order_for_id(q) if q else None
    if exact is not None:
        return redirect("mail-detail", order_id=exact.pk)
    found = {
        name: selectors.orders_search(selectors.orders_all(object_name=name, status=status), q)
        for name in ORDER_MODELS
    }
    counts = {name: qs.count() for name, qs in found.items()}
    if not kind:  # the first kind with results, letters when none has any
        kind = next((name for name, n in counts.items() if n), "letter")
    page = Paginator(found[kind], PAGE_SIZE).get_page(form.cleaned_data["page"])
    page.object_list = list(page.object_list)
    for order in page.object_list:
        order.zone = recipient_zone(order)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    for name, label in TYPE_LABELS.items():
        query["type"] = name
        tabs.append((name, label, counts[name], f"?{query.urlencode()}"))
    query["type"] = kind
    return render(
        request,
        "mailorders/list.html",
        {
            "form": form,
            "page": page,
            "kind": kind,
            "kind_label": TYPE_LABELS[kind],
            "status_label": OrderStatus(status).label if status else "",
            "total": sum(counts.values()),
            "tabs": tabs,
            "query": query.urlencode(),
        },
    )


@agent_required
def order_detail(request, order_id: str):
    order = selectors.order_for_id(order_id)
    if order is None:
        raise Http404("No mail order with this id.")
    events = list(audit_for(order)[:AUDIT_EVENTS_SHOWN])
    return render(
        request,
        "mailorders/detail.html",
        {
            "order": order,
            "kind": TYPE_LABELS[order.OBJECT][:-1],
            "pdf_url": pdf_path(order),
            "amount": (
                amount_in_figures(order.amount, order.currency_code)
                if isinstance(order, Cheque)
                else None
            ),
            "events": events,
            "zone": recipient_zone(order),
        },
    )


@require_safe
@agent_required
def shipment_label_pdf(request, public_id: str, label_id: str):
    """The label's PDF, named after its tracking number; 404 unless the label created the
    shipment of this page and has a PDF."""
    label = get_object_or_404(
        Label.objects.select_related("shipment"), pk=label_id, shipment__public_id=public_id
    )
    return label_pdf_response(label, actor=Actor.for_user(request.user))


def label_pdf_response(label: Label, *, actor: Actor) -> FileResponse:
    """The label's PDF as a download (`<tracking number>.pdf`), or 404 when it has none."""
    try:
        pdf = label_pdf_open(label=label, actor=actor)
    except OSError as exc:  # none, or listed but gone from storage
        raise Http404("This label has no PDF.") from exc
    return FileResponse(
        pdf,
        as_attachment=True,
        content_type="application/pdf",
        filename=f"{label.tracking_number or label.id}.pdf",
    )
