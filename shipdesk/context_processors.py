from tracking.carriers.registry import usps_configured


def carrier_mode(request):
    """Tell every page whether shipments are tracked by USPS or simulated by the sandbox."""
    return {"carrier_simulated": not usps_configured()}
