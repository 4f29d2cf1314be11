"""AfterShip Tracking API 2026-07: the same views as 2024-04, speaking the 2026-07 dialect.

Trackings are named by id only in this version (no slug + number paths).
"""

from django.urls import re_path

from shipdesk.api import NotFoundView

urlpatterns = []

# --- courier-connections routes go here (tracking/api/courier_connections.py) ---
urlpatterns += []
# --- end of courier-connections routes ---

urlpatterns.append(re_path(r"^.*$", NotFoundView.as_view()))
