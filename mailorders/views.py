"""The agents' pages for mail orders: find one (by id, recipient, tracking number or
description) among letters, postcards, cheques and self-mailers, and read it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from mailorders import selectors
from mailorders.forms import MailSearchForm
from mailorders.models import ORDER_MODELS, Cheque
from mailorders.pdf import amount_in_figures
from mailorders.representation import pdf_path
from shipdesk.audit import audit_for
from shipdesk.roles import agent_required

PAGE_SIZE = 25
AUDIT_EVENTS_SHOWN = 20
TYPE_LABELS = {
    "letter": "Letters",
    "postcard": "Postcards",
    "cheque": "Cheques",
    "self_mailer": "Self-mailers",
}


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
        {"form": form, "page": page, "kind": kind, "tabs": tabs, "query": query.urlencode()},
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
        },
    )
