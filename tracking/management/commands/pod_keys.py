"""Create or rotate the Ed25519 key that signs proofs of delivery."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.pod.keys import (
    KeyFileError,
    key_file_create,
    key_file_path,
    key_file_rotate,
    signing_key,
)
from tracking.pod.passport import key_id


class Command(BaseCommand):
    help = (
        "Write the POD signing key file (POD_SIGNING_KEY_FILE) unless it exists; with --rotate, "
        "replace its key by a fresh one and keep the old public key published as retired, so "
        "PODs signed before still verify. Not needed when POD_SIGNING_KEY is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Sign from now on with a new key; the current one is retired, not forgotten.",
        )

    def handle(self, *args, rotate: bool = False, **options):
        path = key_file_path()
        if settings.POD_SIGNING_KEY:
            if rotate:
                raise CommandError(
                    "POD_SIGNING_KEY is set, so the signing key comes from the environment: "
                    "set a new one there and add the old public key to POD_RETIRED_PUBLIC_KEYS."
                )
            try:
                kid = key_id(bytes(signing_key().verify_key))
            except KeyFileError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"POD_SIGNING_KEY is set: PODs are signed with it (kid {kid}).")
            return
        try:
            if rotate:
                old, new = key_file_rotate(path=path)
                self.stdout.write(
                    f"Rotated the POD signing key in {path}: new kid {new}; "
                    f"{old} stays published as retired."
                )
                return
            kid, created = key_file_create(path=path)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        if created:
            self.stdout.write(f"Wrote a new POD signing key to {path} (kid {kid}).")
        else:
            self.stdout.write(f"The POD signing key in {path} is in place (kid {kid}).")
