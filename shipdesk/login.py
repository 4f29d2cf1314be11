"""Logging in, with failed attempts throttled per username and per client address.

The counts live in the shared cache (CACHES: the database table by default, Redis at scale),
so every web process sees the same ones. Past LOGIN_FAILURES_PER_USERNAME failures for a
username, or LOGIN_FAILURES_PER_ADDRESS from one client address (behind reverse proxies, see
TRUSTED_PROXIES), log-ins from it are refused without checking the password until
LOGIN_LOCKOUT_SECONDS after the last counted failure.
"""

from __future__ import annotations

import hashlib
import unicodedata
from math import ceil

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from shipdesk.clients import client_address

THROTTLED = "throttled"


def username_key(username: str) -> str:
    """The username as log-in compares it, folded further so look-alikes share one count.

    AuthenticationForm's UsernameField NFKC-normalises what is typed (a fullwidth `agent`
    logs in as `agent`); on top of that, case is folded (NFKC again after, since folding can
    un-normalise) and surrounding whitespace dropped, so no spelling of a name counts afresh."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())
    return folded.strip()


class LoginThrottle:
    def __init__(self, request, username: str):
        name = hashlib.sha256(username_key(username).encode()).hexdigest()[:32]
        address = client_address(request) if request else ""
        self.limits = {
            f"login-failures:user:{name}": settings.LOGIN_FAILURES_PER_USERNAME,
            f"login-failures:addr:{address}": settings.LOGIN_FAILURES_PER_ADDRESS,
        }

    def blocked(self) -> bool:
        counts = cache.get_many(self.limits)
        return any(counts.get(key, 0) >= limit for key, limit in self.limits.items())

    def record_failure(self) -> None:
        # Each failure restarts the lockout window (the database cache's incr() would reset
        # the timeout anyway). Two racing failures may count once: a few more tries at most.
        counts = cache.get_many(self.limits)
        cache.set_many(
            {key: counts.get(key, 0) + 1 for key in self.limits}, settings.LOGIN_LOCKOUT_SECONDS
        )

    def forget_username(self) -> None:
        cache.delete(next(iter(self.limits)))


class ThrottledLoginMixin:
    """For an AuthenticationForm: refuse while throttled, count each failure."""

    def clean(self):
        throttle = LoginThrottle(self.request, self.data.get("username") or "")
        if throttle.blocked():
            minutes = ceil(settings.LOGIN_LOCKOUT_SECONDS / 60)
            raise ValidationError(
                f"Too many failed log-in attempts. Wait up to {minutes} minutes, then try again.",
                code=THROTTLED,
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure()
            raise
        throttle.forget_username()
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", code=THROTTLED):
            response.status_code = 429
        return response
