"""Needs attention: the queues of shipments a person should look at, one tab per kind."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from shipdesk.roles import agent_required
from tracking import selectors
from tracking.forms import AttentionForm
from tracking.models import Shipment
from tracking.views.search import results


@agent_required
def attention(request):
    form = AttentionForm(request.GET)
    counts = selectors.attention_counts()
    tabs = [
        {
            "key": k.key,
            "label": k.label,
            "description": k.description.format(days=settings.ATTENTION_STALE_DAYS),
            "count": counts[k.key],
        }
        for k in selectors.ATTENTION_KINDS
    ]
    if not form.is_valid():
        return render(request, "tracking/attention.html", {"form": form, "tabs": tabs}, status=400)
    kind = form.cleaned_data["kind"]
    qs = Shipment.objects.filter(selectors.attention_q(kind))
    context = {
        "form": form,
        "tabs": tabs,
        "current": next(t for t in tabs if t["key"] == kind),
        **results(request, form, qs),
    }
    return render(request, "tracking/attention.html", context)
