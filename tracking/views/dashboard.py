from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tracking import selectors


@login_required
def home(request):
    counts = selectors.tag_counts()
    return render(
        request,
        "tracking/home.html",
        {"tag_counts": counts, "total": sum(c["count"] for c in counts)},
    )
