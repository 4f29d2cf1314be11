import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from shipdesk.roles import AGENTS, MANAGERS

# username, what it is, superuser, staff, group
LOGINS = (
    ("demo", "administrator (everything)", True, True, None),
    ("agent", "agent (workspace)", False, False, AGENTS),
    ("manager", "manager (workspace and admin)", False, True, MANAGERS),
)


class Command(BaseCommand):
    help = "Create (or reuse) the demo administrator, agent and manager and print their logins."

    def handle(self, *args, **options):
        User = get_user_model()
        lines = []
        for username, role, superuser, staff, group in LOGINS:
            password = self.password(username)
            user = User.objects.filter(username=username).first() or User(username=username)
            user.is_superuser, user.is_staff, user.is_active = superuser, staff, True
            user.set_password(password)
            user.save()
            if group:
                user.groups.set([Group.objects.get(name=group)])
            lines.append(f"  {role:<31} username {username:<8} password {password}")
        self.stdout.write(self.style.SUCCESS("\n  Demo logins:\n" + "\n".join(lines) + "\n"))

    def password(self, username: str) -> str:
        """Generated once, then kept in var/<username>-login.txt, readable by its owner only
        (var/ too when this makes it)."""
        stored = settings.BASE_DIR / "var" / f"{username}-login.txt"
        stored.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        password = stored.read_text().strip() if stored.exists() else ""
        if not password:
            password = secrets.token_urlsafe(9)
            descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(password + "\n")
        # Files an older version wrote readable by everyone are closed too.
        stored.chmod(0o600)
        return password
