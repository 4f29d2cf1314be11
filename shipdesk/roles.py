"""Who may do what in the browser: Agents work the desk; Managers also run admin and bulk actions.

The groups are created by a migration (shipdesk 0005). Superusers count as both.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

AGENTS = "Agents"
MANAGERS = "Managers"
PRINT_ROOM = "Print room"  # runs the in-house printer (group made by mailorders 0011)
# Managers hold every model permission of these apps (granted after each migrate).
MANAGER_APPS = ("shipdesk", "tracking", "mailorders")


def _in_groups(user, names: tuple[str, ...]) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_shipdesk_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._shipdesk_groups = cached
    return bool(cached.intersection(names))


def is_agent(user) -> bool:
    """May use the workspace: search, retrack, send proof of delivery."""
    return _in_groups(user, (AGENTS, MANAGERS))


def is_manager(user) -> bool:
    """May also use admin, complete shipments and manage API keys and webhooks."""
    return _in_groups(user, (MANAGERS,))


def is_print_room(user) -> bool:
    """May use the print queue: batch, print and mail orders."""
    return _in_groups(user, (PRINT_ROOM, MANAGERS))


def _role_required(test):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = _role_required(is_agent)
manager_required = _role_required(is_manager)
print_room_required = _role_required(is_print_room)


def managers_grant_permissions(*, using="default", **kwargs) -> None:
    """Give the Managers group every permission of MANAGER_APPS (post_migrate receiver)."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.using(using).filter(name=MANAGERS).first()
    if group is not None:
        perms = Permission.objects.using(using).filter(content_type__app_label__in=MANAGER_APPS)
        group.permissions.add(*perms)
