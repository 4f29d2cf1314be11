"""The agents' workspace: one module per page family (dashboard, search, shipment)."""
