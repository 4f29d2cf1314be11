"""/print-mail/v1/…: letters, postcards, cheques, self-mailers, contacts, templates, bank
accounts, PDF links; anything else answers PostGrid's 404."""

from django.urls import path, re_path

from mailorders.api import views
from shipdesk.api import NotFoundView

# Path segment → PostGrid object. Seed 004's clients also spell self-mailers `selfmailers`.
ORDER_PATHS = {
    "letters": "letter",
    "postcards": "postcard",
    "cheques": "cheque",
    "self_mailers": "self_mailer",
    "selfmailers": "self_mailer",
}

urlpatterns = [
    path("files/<id:token>", views.PDFDownloadView.as_view(), name="mailorders-pdf"),
    path("contacts", views.ContactListView.as_view(), name="pm-contacts"),
    path("contacts/<id:pk>", views.ContactDetailView.as_view(), name="pm-contact"),
    path("templates", views.TemplateListView.as_view(), name="pm-templates"),
    path("templates/<id:pk>", views.TemplateDetailView.as_view(), name="pm-template"),
    path("bank_accounts", views.BankAccountListView.as_view(), name="pm-bank-accounts"),
    path("bank_accounts/<id:pk>", views.BankAccountDetailView.as_view(), name="pm-bank-account"),
]
for segment, object_name in ORDER_PATHS.items():
    kwargs = {"object_name": object_name}
    urlpatterns += [
        path(
            segment,
            views.OrderListView.as_view(**kwargs),
            name=f"pm-{segment}",
        ),
        path(
            f"{segment}/<id:order_id>",
            views.OrderDetailView.as_view(**kwargs),
            name=f"pm-{segment}-detail",
        ),
        path(
            f"{segment}/<id:order_id>/cancellation",
            views.OrderCancellationView.as_view(**kwargs),
            name=f"pm-{segment}-cancellation",
        ),
        path(
            f"{segment}/<id:order_id>/progressions",
            views.OrderProgressionView.as_view(**kwargs),
            name=f"pm-{segment}-progressions",
        ),
        path(
            f"{segment}/<id:order_id>/url",
            views.OrderURLView.as_view(**kwargs),
            name=f"pm-{segment}-url",
        ),
    ]
urlpatterns.append(re_path(r"^.*$", NotFoundView.as_view(dialect="postgrid")))
