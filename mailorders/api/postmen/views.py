"""/postmen/v3/: labels (create, list, get, file), cancel-labels, manifests (create, list, get,
file), rates (calculate, list, get), address-validations (create), shipper accounts (list, get).
Thin: parse, call one service, shape the answer."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from mailorders.api.postmen.base import (
    SHIPPER_ACCOUNT_NOT_FOUND,
    PostmenAPIView,
    created_between,
    field_error,
    keyset_page,
    postmen_response,
    query_choice,
    query_id,
    refused,
)
from mailorders.api.postmen.representation import (
    address_validation_data,
    api_time,
    label_data,
    manifest_data,
    rate_quote_data,
    shipper_account_detail,
)
from mailorders.choices import LabelStatus, ManifestStatus
from mailorders.downloads import stored_pdf_response
from mailorders.models import Label, Manifest, RateQuote, ShipperAccount, new_address_validation_id
from mailorders.services.address_validations import address_validation_create
from mailorders.services.common import LabelError
from mailorders.services.labels import label_cancel, label_create
from mailorders.services.manifests import MANIFEST_MAX_LABELS, manifest_create
from mailorders.services.rate_quotes import rate_quote_create
from shipdesk.api import APIError

MAX_TRACKING_NUMBERS = 50
TRACKING_NUMBER = re.compile(r"[A-Z0-9]{4,34}")


def _id_of(body: dict, key: str) -> str:
    member = body.get(key)
    value = member.get("id") if isinstance(member, dict) else None
    if not isinstance(value, str) or not value:
        raise LabelError(
            f"{key}.id is required.",
            details=[{"path": f"{key}.id", "info": f"{key}.id is required."}],
        )
    return value


def _account_and_status(request, statuses) -> Q:
    """`shipper_account_id`, `status`, `created_at_min` and `created_at_max`, as one filter."""
    found = created_between(request)
    if account_id := query_id(request, "shipper_account_id"):
        found &= Q(shipper_account_id=account_id)
    if status := query_choice(request, "status", statuses):
        found &= Q(status=status)
    return found


def _tracking_numbers(request) -> list[str] | None:
    raw = request.query_params.get("tracking_numbers")
    if raw in (None, ""):
        return None
    numbers = [n.strip().replace(" ", "").upper() for n in raw.split(",") if n.strip()]
    if not numbers or len(numbers) > MAX_TRACKING_NUMBERS:
        raise field_error(
            "tracking_numbers", f"a comma-separated list of 1 to {MAX_TRACKING_NUMBERS} numbers."
        )
    bad = [n for n in numbers if not TRACKING_NUMBER.fullmatch(n)]
    if bad:
        raise field_error("tracking_numbers", f"not a tracking number: {bad[0][:40]}.")
    return numbers


class LabelListView(PostmenAPIView):
    def get(self, request):
        found = _account_and_status(request, LabelStatus.values)
        if (numbers := _tracking_numbers(request)) is not None:
            found &= Q(tracking_numbers__0__in=numbers)  # a label has one tracking number
        page = keyset_page(
            request,
            Label.objects.for_partner(self.partner)
            .filter(found)
            .select_related("shipper_account", "manifest"),
            partner=self.partner,
            kind="labels",
        )
        absolute = request.build_absolute_uri
        return postmen_response(
            {
                "limit": page.limit,
                "next_token": page.next_token,
                "labels": [label_data(label, absolute=absolute) for label in page.rows],
            }
        )

    def post(self, request):
        body = self.body()
        try:
            label = label_create(partner=self.partner, data=body, live=self.live, actor=self.actor)
        except LabelError as exc:
            # Only a retry with the same order_number is sure to answer the same label.
            raise refused(exc, retry_safe=bool(body.get("order_number"))) from exc
        return postmen_response(label_data(label, absolute=request.build_absolute_uri))


def _label(view: PostmenAPIView, pk: str) -> Label:
    label = (
        Label.objects.for_partner(view.partner)
        .select_related("shipper_account", "manifest")
        .filter(pk=pk)
    ).first()
    if label is None:
        raise Http404
    return label


class LabelDetailView(PostmenAPIView):
    def get(self, request, pk: str):
        return postmen_response(label_data(_label(self, pk), absolute=request.build_absolute_uri))


class LabelFileView(PostmenAPIView):
    def get(self, request, pk: str):
        label = _label(self, pk)
        return stored_pdf_response(label.label_file, f"{label.id}.pdf")


class CancelLabelView(PostmenAPIView):
    def post(self, request):
        pk = _id_of(self.body(), "label")
        try:
            label = _label(self, pk)
        except Http404:
            raise LabelError(
                "The label does not exist.",
                details=[{"path": "label.id", "info": "No such label."}],
                code="not_found",
            ) from None
        label = label_cancel(label=label, actor=self.actor)
        return postmen_response(
            {
                "id": label.id,
                "status": label.status,
                "label": {"id": label.id},
                "created_at": api_time(label.created_at),
                "updated_at": api_time(label.updated_at),
            }
        )


class ManifestListView(PostmenAPIView):
    def get(self, request):
        label_ids = Label.objects.only("id", "manifest_id").order_by("id")
        page = keyset_page(
            request,
            Manifest.objects.filter(partner=self.partner)
            .filter(_account_and_status(request, ManifestStatus.values))
            .select_related("shipper_account")
            .prefetch_related(Prefetch("labels", queryset=label_ids)),
            partner=self.partner,
            kind="manifests",
        )
        absolute = request.build_absolute_uri
        manifests = [
            manifest_data(
                manifest, [label.id for label in manifest.labels.all()], absolute=absolute
            )
            for manifest in page.rows
        ]
        return postmen_response(
            {"limit": page.limit, "next_token": page.next_token, "manifests": manifests}
        )

    def post(self, request):
        body = self.body()
        account_id = _id_of(body, "shipper_account")
        labels = body.get("labels")
        label_ids = None
        if labels is not None:
            if not isinstance(labels, list) or len(labels) > MANIFEST_MAX_LABELS:
                raise LabelError(
                    f"labels must be a list of at most {MANIFEST_MAX_LABELS} {{id}} objects.",
                    details=[{"path": "labels", "info": "A list of {id} objects."}],
                )
            bad = [
                {"path": f"labels.{index}.id", "info": "A label id is required."}
                for index, item in enumerate(labels)
                if not isinstance(item, dict)
                or not isinstance(item.get("id"), str)
                or not item["id"]
            ]
            if bad:
                raise LabelError("Each of labels must be an {id} object.", details=bad)
            label_ids = [item["id"] for item in labels]
        manifest = manifest_create(
            partner=self.partner,
            shipper_account_id=account_id,
            label_ids=label_ids,
            actor=self.actor,
        )
        return postmen_response(
            manifest_data(
                manifest, _manifest_label_ids(manifest), absolute=request.build_absolute_uri
            )
        )


def _manifest(view: PostmenAPIView, pk: str) -> Manifest:
    manifest = (
        Manifest.objects.filter(partner=view.partner, pk=pk).select_related("shipper_account")
    ).first()
    if manifest is None:
        raise Http404
    return manifest


def _manifest_label_ids(manifest: Manifest) -> list[str]:
    return list(manifest.labels.order_by("id").values_list("id", flat=True))


class ManifestDetailView(PostmenAPIView):
    def get(self, request, pk: str):
        manifest = _manifest(self, pk)
        return postmen_response(
            manifest_data(
                manifest, _manifest_label_ids(manifest), absolute=request.build_absolute_uri
            )
        )


class ManifestFileView(PostmenAPIView):
    def get(self, request, pk: str):
        manifest = _manifest(self, pk)
        return stored_pdf_response(manifest.file, f"{manifest.id}.pdf")


class ShipperAccountListView(PostmenAPIView):
    def get(self, request):
        page = keyset_page(
            request,
            ShipperAccount.objects.filter(partner=self.partner),
            partner=self.partner,
            kind="shipper-accounts",
        )
        return postmen_response(
            {
                "limit": page.limit,
                "next_token": page.next_token,
                "shipper_accounts": [shipper_account_detail(a) for a in page.rows],
            }
        )


class ShipperAccountDetailView(PostmenAPIView):
    def get(self, request, pk: str):
        account = ShipperAccount.objects.filter(partner=self.partner, pk=pk).first()
        if account is None:
            raise APIError(
                "Shipper account not found.", http_status=404, code=SHIPPER_ACCOUNT_NOT_FOUND
            )
        return postmen_response(shipper_account_detail(account))


class RateListView(PostmenAPIView):
    def get(self, request):
        page = keyset_page(
            request,
            RateQuote.objects.filter(partner=self.partner).filter(created_between(request)),
            partner=self.partner,
            kind="rates",
        )
        return postmen_response(
            {
                "limit": page.limit,
                "next_token": page.next_token,
                "rates": [rate_quote_data(quote) for quote in page.rows],
            }
        )

    def post(self, request):
        quote = rate_quote_create(partner=self.partner, data=self.body(), live=self.live)
        return postmen_response(rate_quote_data(quote))


class RateDetailView(PostmenAPIView):
    def get(self, request, pk: str):
        quote = RateQuote.objects.filter(partner=self.partner, pk=pk).first()
        if quote is None:
            raise Http404
        return postmen_response(rate_quote_data(quote))


class AddressValidationView(PostmenAPIView):
    def post(self, request):
        verdict, sent = address_validation_create(partner=self.partner, data=self.body())
        return postmen_response(
            address_validation_data(
                verdict, sent, validation_id=new_address_validation_id(), at=timezone.now()
            )
        )
