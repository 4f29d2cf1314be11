"""The IMb scan feed endpoint: `POST /mail/imb-feed` with the scans as JSON or CSV.

Not a partner endpoint: the feed comes from the mail operator's USPS IV-MTR export, so it is
authenticated by the IMB_FEED_TOKEN setting (`Authorization: Bearer …`) and applies to every
partner's orders. Without the setting the endpoint refuses every request."""

from __future__ import annotations

import hmac

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from mailorders.api.base import PostGridAPIView
from mailorders.services.imb import (
    IMbFeedError,
    imb_feed_parse,
    imb_records_parse,
    imb_scans_apply,
)
from shipdesk.api import APIError
from shipdesk.audit import Actor

MAX_FEED_BYTES = 5 * 1024 * 1024


class CSVParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_FEED_BYTES + 1) if stream else b""
        if len(raw) > MAX_FEED_BYTES:
            raise exceptions.ParseError(f"A feed is at most {MAX_FEED_BYTES} bytes.")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError("A CSV feed must be UTF-8.") from exc


class FeedTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        token = settings.IMB_FEED_TOKEN
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token:
            raise exceptions.PermissionDenied("The IMb feed is not enabled (IMB_FEED_TOKEN).")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise exceptions.AuthenticationFailed("The feed token is missing or wrong.")
        return (None, None)

    def authenticate_header(self, request):
        return "Bearer"


class IMbFeedView(PostGridAPIView):
    authentication_classes = [FeedTokenAuthentication]
    throttle_classes = []
    parser_classes = [*api_settings.DEFAULT_PARSER_CLASSES, CSVParser]
    key_header = "Bearer"

    def post(self, request, *args, **kwargs):
        data = self.request.data
        try:
            if isinstance(data, str):
                scans = imb_feed_parse(data, fmt="csv")
            else:
                scans = imb_records_parse(data)
        except IMbFeedError as exc:
            raise APIError(str(exc)) from exc
        report = imb_scans_apply(scans=scans, actor=Actor.system("IMb feed"))
        return Response(
            {"applied": report.applied, "ignored": report.ignored, "errors": report.errors}
        )
