"""An order's print house on its admin page (for a forwarded order: the provider, its id and
status there, attempts and the last error), the Managers' "Forward again" action, and the
print routes (which house, and which provider, takes a partner's orders)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from mailorders.models import PrintRoute
from mailorders.print_models import PrintJobState
from mailorders.printhouse import PROVIDER
from mailorders.services.common import MailOrderError
from mailorders.services.print_provider import provider_forward_again
from mailorders.services.printhouse import print_job_for
from shipdesk.audit import Actor, audit_record


class OrderPrintHouseMixin:
    """For OrderAdmin: add "print_house" to readonly_fields and "forward_again" to actions."""

    @admin.display(description="Print house")
    def print_house(self, order):
        job = print_job_for(order)
        if job is None:
            return "In-house print queue (no print job)"
        rows = [("House", job.get_house_display()), ("State", job.get_state_display())]
        if job.house == PROVIDER:
            rows += [
                ("Provider", job.provider or "—"),
                ("Provider's id", job.external_id or "—"),
                ("Provider's status", job.external_status or "—"),
                ("Attempts", str(job.attempts)),
            ]
            if job.next_attempt_at and job.state == PrintJobState.PENDING:
                rows.append(("Next attempt", f"{job.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"))
        if job.last_error:
            rows.append(("Last error", job.last_error))
        return format_html(
            "<dl class='print-house'>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    @admin.action(description="Forward again to the print provider", permissions=["manage"])
    def forward_again(self, request, queryset):
        """Send failed forwards again (the same Idempotency-Key: never a second order)."""
        actor = Actor.for_user(request.user)
        done, refused = [], []
        for order in queryset:
            job = print_job_for(order)
            try:
                if job is None or job.house != PROVIDER:
                    raise MailOrderError(f"{order.id}: not sent to a print provider.")
                provider_forward_again(job=job, actor=actor)
            except MailOrderError as exc:
                refused.append(str(exc))
            else:
                done.append(order.id)
        text = (
            f"Forwarded {len(done)} order{'s' if len(done) != 1 else ''} again; each one's "
            "print house says how it went."
        )
        if refused:
            text += f" Refused {len(refused)}: " + "; ".join(refused[:10])
        self.message_user(request, text, messages.WARNING if refused else messages.SUCCESS)


class PrintRouteForm(forms.ModelForm):
    class Meta:
        model = PrintRoute
        fields = ["partner", "mailing_class", "house", "provider"]

    def clean(self):
        data = super().clean()
        provider = data.get("provider", "")
        if data.get("house") == PROVIDER:
            name = provider or settings.PRINT_PROVIDER_DEFAULT
            if name not in settings.PRINT_PROVIDERS:
                configured = ", ".join(settings.PRINT_PROVIDERS) or "none"
                self.add_error(
                    "provider",
                    f"No print-mail provider `{name or '(default)'}` is configured "
                    f"(PRINT_PROVIDERS: {configured}).",
                )
        elif provider:
            self.add_error("provider", "Only routes to the upstream provider name a provider.")
        return data


class PrintRouteAdmin(admin.ModelAdmin):
    """Which print house takes a partner's orders (all, or one mailing class); a route to the
    upstream provider names which one. Orders keep the house they were created with."""

    form = PrintRouteForm
    list_display = ["partner", "mailing_class", "house", "provider"]
    list_filter = ["house", "partner"]
    list_select_related = ["partner"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=Actor.for_user(request.user),
            action="print_route.change" if change else "print_route.create",
            summary=f"Print route: {obj}" + (f" ({obj.provider})" if obj.provider else ""),
            targets=[obj],
        )


if not admin.site.is_registered(PrintRoute):
    admin.site.register(PrintRoute, PrintRouteAdmin)
