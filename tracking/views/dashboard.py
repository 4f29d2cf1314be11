"""The dashboard: status counts, needs-attention counts, the on-time rate, two charts and the
latest exceptions, each figure one query (tracking.stats)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from shipdesk.roles import agent_required
from tracking import selectors, stats
from tracking.charts import Bar, bar_chart


@require_safe
@agent_required
def home(request):
    counts = selectors.tag_counts()
    transit = stats.transit_days()
    daily = stats.delivered_per_day()
    attention = selectors.attention_counts()
    return render(
        request,
        "tracking/home.html",
        {
            "tag_counts": counts,
            "total": sum(c["count"] for c in counts),
            "on_time": stats.on_time_rate(),
            "transit": transit,
            "transit_chart": _transit_chart(transit),
            "daily": daily,
            "daily_chart": _daily_chart(daily),
            "exceptions": stats.recent_exceptions(),
            "attention": [(kind, attention[kind.key]) for kind in selectors.ATTENTION_KINDS],
        },
    )


def _transit_chart(transit):
    total = sum(n for _, n in transit)
    return bar_chart(
        chart_id="transit-chart",
        title="Days in transit, shipments delivered in the last 30 days",
        description=(
            f"{total} deliveries by days from the first checkpoint to delivery: "
            + ", ".join(f"{days} days: {n}" for days, n in transit)
            + "."
        ),
        bars=[Bar(days, n) for days, n in transit],
        x_label="Days in transit",
        y_label="Shipments",
    )


def _daily_chart(daily):
    return bar_chart(
        chart_id="daily-chart",
        title="Shipments delivered per day, last 30 days",
        description=(
            f"{sum(n for _, n in daily)} deliveries from {daily[0][0]:%b} {daily[0][0].day} "
            f"to {daily[-1][0]:%b} {daily[-1][0].day}; the most in one day: "
            f"{max(n for _, n in daily)}. Each is counted on its local delivery date."
        ),
        bars=[Bar(f"{day:%b} {day.day}", n) for day, n in daily],
        x_label="Delivery date (local)",
        y_label="Shipments delivered",
        label_every=5,
    )
