from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mailorders.api import schema as print_mail_schema
from mailorders.api.postmen import schema as labels_schema
from shipdesk.api import NotFoundView
from shipdesk.login import AdminLoginForm, LoginView
from shipdesk.pages import admin_login
from shipdesk.webhooks.api import schema as webhooks_schema
from tracking.api.schema import OfflineRedocView
from tracking.api.schema import v2026_07 as tracking_2026_07_schema
from tracking.pod import schema as pod_schema

# Admin's own log-in page counts failures with the workspace's (shipdesk.login).
admin.site.login_form = AdminLoginForm


def api_docs(name: str, *, urlconf: str, settings: dict) -> list:
    """The schema, Swagger UI and Redoc of one API, under /api/*/<name>/."""
    schema = f"api-schema-{name}"
    return [
        path(
            f"api/schema/{name}/",
            SpectacularAPIView.as_view(urlconf=urlconf, custom_settings=settings),
            name=schema,
        ),
        path(
            f"api/docs/{name}/",
            SpectacularSwaggerView.as_view(url_name=schema),
            name=f"api-docs-{name}",
        ),
        path(
            f"api/redoc/{name}/",
            OfflineRedocView.as_view(url_name=schema),
            name=f"api-redoc-{name}",
        ),
    ]


urlpatterns = [
    # Before the admin's own: a signed-in agent gets "not allowed", not its log-in form.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tracking/2024-04/", include("tracking.api.urls")),
    path("tracking/2026-07/", include("tracking.api.urls_2026_07")),
    # Any other version of the tracking API: AfterShip's JSON 404, not a page.
    re_path(r"^tracking/\d{4}-\d{2}/", NotFoundView.as_view()),
    # PostGrid webhooks first: the mail-order routes end with a catch-all 404.
    path("print-mail/v1/", include("shipdesk.webhooks.api.urls")),
    path("print-mail/v1/", include("mailorders.api.urls")),
    path("postmen/v3/", include("mailorders.api.postmen.urls")),
    # The partner API's OpenAPI schema and its docs, served from our own static files.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Each other API's description beside it: /api/{schema,docs,redoc}/<api>/.
    *api_docs("pod", urlconf="tracking.pod.urls", settings=pod_schema.SETTINGS),
    *api_docs(
        "tracking-2026-07", urlconf="shipdesk.urls", settings=tracking_2026_07_schema.SETTINGS
    ),
    *api_docs("print-mail", urlconf="shipdesk.urls", settings=print_mail_schema.SETTINGS),
    *api_docs("webhooks", urlconf="shipdesk.urls", settings=webhooks_schema.SETTINGS),
    *api_docs("labels", urlconf="shipdesk.urls", settings=labels_schema.SETTINGS),
    # Public signed proofs of delivery: /api/v1/shipments/{uuid}/pod, /proof, /.well-known/.
    path("", include("tracking.pod.urls")),
    path("", include("mailorders.urls")),
    path("", include("tracking.urls")),
]
