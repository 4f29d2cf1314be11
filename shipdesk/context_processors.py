from django.utils.functional import SimpleLazyObject

from shipdesk.roles import is_agent, is_print_room
from tracking.carriers.registry import usps_configured


def carrier_mode(request):
    """Tell every page whether shipments are tracked by USPS or simulated by the sandbox."""
    return {"carrier_simulated": not usps_configured()}


def workspace_roles(request):
    """`workspace_agent`: the user may use the workspace (the nav shows its pages);
    `print_room`: the user may use the print queue."""
    return {
        "workspace_agent": SimpleLazyObject(lambda: is_agent(request.user)),
        "print_room": SimpleLazyObject(lambda: is_print_room(request.user)),
    }
