"""What the workspace answers when a page cannot be shown: its own 404 page for anything a
page could not find, and its "not allowed" page for a signed-in non-manager at the admin."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import get_resolver


class NotFoundPageMiddleware:
    """An Http404 raised by a view (an unknown or malformed shipment or mail-order id) answers
    with the project's 404 handler, that is templates/404.html in the base layout, with DEBUG
    on too. Django's own handling shows its technical 404 page under DEBUG; that page stays
    for URLs that match no route, where its list of routes helps whoever is developing.

    A page's id holding a NUL names nothing (PostgreSQL refuses NUL in text, so looking it up
    would fail): such a request is answered 404 before the view runs. The APIs are left to
    their own views, which answer in their dialect's envelope (DRF handles Http404 itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None:  # a DRF view
            return None
        values = [*view_args, *view_kwargs.values()]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            return self.not_found(request, Http404("No page has an id with a NUL in it."))
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404):
            return None
        return self.not_found(request, exception)

    @staticmethod
    def not_found(request, exception: Http404):
        return get_resolver().resolve_error_handler(404)(request, exception)


def admin_login(request, extra_context=None):
    """The admin's log-in page, except for someone signed in whom the admin does not admit
    (an agent): Django would offer them its log-in form and "not authorized"; they get the
    workspace's "not allowed" page with a way back instead."""
    if request.user.is_authenticated and not admin.site.has_permission(request):
        raise PermissionDenied("The admin is for managers.")
    return admin.site.login(request, extra_context=extra_context)
