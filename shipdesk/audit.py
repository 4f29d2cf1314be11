"""The audit trail: record who changed what, and read it back per object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shipdesk.models import APIKey, AuditEvent, AuditTarget


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str
    user: object | None = None
    api_key: APIKey | None = None

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls(AuditEvent.ActorKind.USER, user.get_username(), user=user)

    @classmethod
    def for_key(cls, key: APIKey) -> Actor:
        return cls(
            AuditEvent.ActorKind.API_KEY, f"{key.partner.name} key {key.prefix}…", api_key=key
        )

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(AuditEvent.ActorKind.SYSTEM, label)


SYSTEM = Actor.system()


def audit_record(
    *,
    actor: Actor,
    action: str,
    summary: str,
    targets: Iterable[models.Model] = (),
    detail: dict | None = None,
) -> AuditEvent:
    event = AuditEvent.objects.create(
        actor_kind=actor.kind,
        actor_label=actor.label[:200],
        user=actor.user,
        api_key=actor.api_key,
        action=action,
        summary=summary[:500],
        detail=detail or {},
    )
    AuditTarget.objects.bulk_create(
        [
            AuditTarget(
                event=event,
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_label=str(obj)[:200],
            )
            for obj in targets
        ]
    )
    return event


def audit_for(obj: models.Model):
    """The audit events that touched `obj`, newest first."""
    return AuditEvent.objects.filter(
        targets__content_type=ContentType.objects.get_for_model(obj),
        targets__object_id=str(obj.pk),
    ).order_by("-created_at", "-id")
