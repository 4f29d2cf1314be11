"""PostGrid print-mail v1, served by shipdesk. Thin: validate, call a service, shape."""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse
from rest_framework import exceptions
from rest_framework.response import Response

from mailorders import selectors
from mailorders.api import serializers as s
from mailorders.api.base import (
    PostGridAPIView,
    list_response,
    page_params,
    search_param,
)
from mailorders.models import BankAccount, Contact, Template
from mailorders.representation import (
    PDF_URL_SALT,
    bank_account_data,
    contact_data,
    order_data,
    pdf_path,
    template_data,
)
from mailorders.services import orders, resources
from mailorders.services.common import MailOrderError
from shipdesk.api import APIError, describe

PDF_URL_MAX_AGE = 60 * 60  # seconds a PDF link stays valid, as PostGrid's signed links expire
IDEMPOTENCY_KEY_MAX = 255


# PostGrid's error types for the refusals its clients know by name.
ERROR_TYPES = {"invalid_progression": "invalid_progression_error"}


def _api_error(exc: MailOrderError) -> APIError:
    data = {"field": exc.field} if exc.field else {}
    if exc.code in ERROR_TYPES:
        data["type"] = ERROR_TYPES[exc.code]
    return APIError(str(exc), http_status=exc.status, data=data or None)


def _first_field(detail, path: str = "") -> str | None:
    if isinstance(detail, dict):
        for name, value in detail.items():
            if name == "non_field_errors":
                return path.rstrip(".") or None
            return _first_field(value, f"{path}{name}.")
    if isinstance(detail, list) and detail and isinstance(detail[0], (dict, list)):
        for index, value in enumerate(detail):
            if value:
                return _first_field(value, f"{path}{index}.")
    return path.rstrip(".") or None


def _validated(serializer):
    """The serializer's data, or a validation_error naming the (first) field at fault."""
    try:
        serializer.is_valid(raise_exception=True)
    except exceptions.ValidationError as exc:
        _, _, message, _ = describe(exc)
        field = _first_field(exc.detail)
        raise APIError(message, data={"field": field} if field else None) from exc
    return serializer


def _not_found(kind: str) -> APIError:
    return APIError(f"Could not find {kind}.", http_status=404)


class MailAPIView(PostGridAPIView):
    """A service's refusal (MailOrderError) answers as PostGrid's error naming the field."""

    def handle_exception(self, exc):
        if isinstance(exc, MailOrderError):
            exc = _api_error(exc)
        return super().handle_exception(exc)


class OrderView(MailAPIView):
    """Base of the order endpoints; `object_name` (letter, postcard, …) is set in urls."""

    object_name = "letter"

    def data(self, order) -> dict:
        return order_data(order, absolute=self.request.build_absolute_uri)

    def get_order(self):
        order = selectors.order_get(
            object_name=self.object_name,
            partner=self.partner,
            live=self.live,
            order_id=self.kwargs["order_id"],
        )
        if order is None:
            raise _not_found(self.object_name.replace("_", " "))
        return order


class OrderListView(OrderView):
    def get(self, request, *args, **kwargs):
        limit, skip = page_params(request)
        qs = selectors.orders_for(
            object_name=self.object_name, partner=self.partner, live=self.live
        )
        qs = selectors.orders_search(qs, search_param(request))
        return list_response(
            queryset=qs, limit=limit, skip=skip, serialize=lambda page: [self.data(o) for o in page]
        )

    def post(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            key = key.strip()
            if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
                raise APIError(
                    f"Idempotency-Key: must be 1 to {IDEMPOTENCY_KEY_MAX} printable characters.",
                    data={"field": "Idempotency-Key"},
                )
        serializer = _validated(s.CREATE_SERIALIZERS[self.object_name](data=self.body()))
        order, _ = orders.order_create(
            object_name=self.object_name,
            partner=self.partner,
            live=self.live,
            actor=self.actor,
            idempotency_key=key or None,
            **serializer.service_kwargs(),
        )
        return Response(self.data(order))


class OrderDetailView(OrderView):
    def get(self, request, *args, **kwargs):
        return Response(self.data(self.get_order()))

    def delete(self, request, *args, **kwargs):
        """Cancel the order (PostGrid's DELETE)."""
        order = orders.order_cancel(order=self.get_order(), actor=self.actor)
        return Response(self.data(order))


class OrderCancellationView(OrderView):
    def post(self, request, *args, **kwargs):
        data = _validated(s.CancellationSerializer(data=self.body())).validated_data
        order = orders.order_cancel(
            order=self.get_order(), actor=self.actor, note=data["note"], reason=data["reason"]
        )
        return Response(self.data(order))


class OrderProgressionView(OrderView):
    def post(self, request, *args, **kwargs):
        order = self.get_order()
        if self.live:
            raise APIError("Progressions are only available with a test API key.", http_status=403)
        order = orders.order_progress(order=order, actor=self.actor)
        return Response(self.data(order))


class OrderURLView(OrderView):
    def get(self, request, *args, **kwargs):
        order = self.get_order()
        path = pdf_path(order)
        return Response(
            {
                "id": order.id,
                "object": order.OBJECT,
                "url": request.build_absolute_uri(path) if path else None,
            }
        )


class PDFDownloadView(PostGridAPIView):
    """The file behind an order's `url`: the signed token is the capability (no key needed),
    valid for PDF_URL_MAX_AGE seconds, like PostGrid's expiring links."""

    authentication_classes = []
    throttle_classes = []

    def get(self, request, token: str, *args, **kwargs):
        try:
            object_name, order_id = signing.loads(token, salt=PDF_URL_SALT, max_age=PDF_URL_MAX_AGE)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise APIError(
                "This PDF link is invalid or has expired; retrieve the order for a new one.",
                http_status=404,
            ) from exc
        order = selectors.order_for_id(order_id)
        if order is None or object_name != order.OBJECT or not order.pdf:
            raise _not_found("the PDF")
        return FileResponse(
            order.pdf.open("rb"), content_type="application/pdf", filename=f"{order.id}.pdf"
        )


# -- contacts, templates, bank accounts ------------------------------------------------------


class OwnedListView(MailAPIView):
    """List and create one kind of partner-owned resource."""

    def listing(self, search: str):
        raise NotImplementedError

    def represent(self, obj) -> dict:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        limit, skip = page_params(request)
        return list_response(
            queryset=self.listing(search_param(request)),
            limit=limit,
            skip=skip,
            serialize=lambda page: [self.represent(o) for o in page],
        )


class ContactListView(OwnedListView):
    represent = staticmethod(contact_data)

    def listing(self, search):
        return selectors.contacts_for(partner=self.partner, live=self.live, search=search)

    def post(self, request, *args, **kwargs):
        data = _validated(s.ContactSerializer(data=self.body())).validated_data
        contact = resources.contact_create(
            partner=self.partner, live=self.live, data=data, actor=self.actor
        )
        return Response(contact_data(contact))


class TemplateListView(OwnedListView):
    represent = staticmethod(template_data)

    def listing(self, search):
        return selectors.templates_for(partner=self.partner, live=self.live, search=search)

    def post(self, request, *args, **kwargs):
        data = _validated(s.TemplateSerializer(data=self.body())).validated_data
        template = resources.template_create(
            partner=self.partner, live=self.live, actor=self.actor, **data
        )
        return Response(template_data(template))


class BankAccountListView(OwnedListView):
    represent = staticmethod(bank_account_data)

    def listing(self, search):
        qs = BankAccount.objects.filter(partner=self.partner, live=self.live)
        if search:
            qs = qs.filter(bank_name__icontains=search.strip('"'))
        return qs.order_by("-created_at", "-id")

    def post(self, request, *args, **kwargs):
        data = _validated(s.BankAccountSerializer(data=self.body())).validated_data
        account = resources.bank_account_create(
            partner=self.partner, live=self.live, actor=self.actor, **data
        )
        return Response(bank_account_data(account))


class OwnedDetailView(MailAPIView):
    model = Contact
    label = "contact"
    represent = staticmethod(contact_data)

    def get_object(self):
        pk = self.kwargs["pk"]
        found = None
        if "\x00" not in pk:
            found = self.model.objects.filter(partner=self.partner, live=self.live, pk=pk).first()
        if found is None:
            raise _not_found(self.label)
        return found

    def get(self, request, *args, **kwargs):
        return Response(self.represent(self.get_object()))


class ContactDetailView(OwnedDetailView):
    pass


class BankAccountDetailView(OwnedDetailView):
    model = BankAccount
    label = "bank account"
    represent = staticmethod(bank_account_data)


class TemplateDetailView(OwnedDetailView):
    model = Template
    label = "template"
    represent = staticmethod(template_data)

    def post(self, request, *args, **kwargs):
        """Update the template's html, description or metadata (PostGrid's POST /templates/{id});
        orders already rendered keep their PDF."""
        template = self.get_object()
        data = _validated(s.TemplateUpdateSerializer(data=self.body())).validated_data
        template = resources.template_update(template=template, actor=self.actor, **data)
        return Response(template_data(template))

    def delete(self, request, *args, **kwargs):
        template = self.get_object()
        template_id = template.id  # deleting clears the instance's primary key
        resources.template_delete(template=template, actor=self.actor)
        return Response({"id": template_id, "object": "template", "deleted": True})
