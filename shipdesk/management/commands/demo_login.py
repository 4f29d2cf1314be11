import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

USERNAME = "demo"


class Command(BaseCommand):
    help = "Create (or reuse) the demo administrator and print its login."

    def handle(self, *args, **options):
        stored = settings.BASE_DIR / "var" / "demo-login.txt"
        stored.parent.mkdir(parents=True, exist_ok=True)
        password = stored.read_text().strip() if stored.exists() else secrets.token_urlsafe(9)
        stored.write_text(password + "\n")
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first() or User(username=USERNAME)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Demo login:  username {USERNAME}   password {password}\n"
                "  Workspace:   http://127.0.0.1:8000/    Admin: http://127.0.0.1:8000/admin/\n"
            )
        )
