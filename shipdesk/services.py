from django.utils.text import slugify

from shipdesk.models import Partner


def partner_get_or_create(*, name: str) -> Partner:
    partner, _ = Partner.objects.get_or_create(
        name=name.strip(), defaults={"slug": slugify(name)[:200] or "partner"}
    )
    return partner
