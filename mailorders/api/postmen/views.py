"""/postmen/v3/: labels (create, list, get, file), cancel-labels, manifests. Thin: parse, call
one service, shape the answer."""

from __future__ import annotations

from django.http import FileResponse, Http404

from mailorders.api.postmen.base import (
    PostmenAPIView,
    page_params,
    postmen_response,
)
from mailorders.api.postmen.representation import api_time, label_data, manifest_data
from mailorders.models import Label, Manifest
from mailorders.services.common import LabelError
from mailorders.services.labels import label_cancel, label_create, manifest_create

MAX_MANIFEST_LABELS = 1000


def _id_of(body: dict, key: str) -> str:
    member = body.get(key)
    value = member.get("id") if isinstance(member, dict) else None
    if not isinstance(value, str) or not value:
        raise LabelError(
            f"{key}.id is required.",
            details=[{"path": f"{key}.id", "info": f"{key}.id is required."}],
        )
    return value


class LabelListView(PostmenAPIView):
    def get(self, request):
        limit, offset = page_params(request)
        labels = list(
            Label.objects.for_partner(self.partner)
            .select_related("shipper_account", "manifest")
            .order_by("-created_at", "-id")[offset : offset + limit + 1]
        )
        more = len(labels) > limit
        absolute = request.build_absolute_uri
        return postmen_response(
            {
                "limit": limit,
                "next_token": str(offset + limit) if more else "",
                "labels": [label_data(label, absolute=absolute) for label in labels[:limit]],
            }
        )

    def post(self, request):
        label = label_create(
            partner=self.partner, data=self.body(), live=self.live, actor=self.actor
        )
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
        if not label.label_file:
            raise Http404
        return FileResponse(
            label.label_file.open("rb"),
            content_type="application/pdf",
            filename=f"{label.id}.pdf",
        )


class CancelLabelView(PostmenAPIView):
    def post(self, request):
        label = _label(self, _id_of(self.body(), "label"))
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
    def post(self, request):
        body = self.body()
        account_id = _id_of(body, "shipper_account")
        labels = body.get("labels")
        label_ids = None
        if labels is not None:
            if (
                not isinstance(labels, list)
                or len(labels) > MAX_MANIFEST_LABELS
                or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in labels)
            ):
                raise LabelError(
                    f"labels must be a list of at most {MAX_MANIFEST_LABELS} {{id}} objects.",
                    details=[{"path": "labels", "info": "A list of {id} objects."}],
                )
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
        if not manifest.file:
            raise Http404
        return FileResponse(
            manifest.file.open("rb"), content_type="application/pdf", filename=f"{manifest.id}.pdf"
        )
