from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from prodcoord.core.tokens import token_for, token_rotate


class Command(BaseCommand):
    help = "Print a user's API token, creating it if the user has none yet (or a new one if theirs has expired)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="Replace the user's existing token with a new one.")

    def handle(self, *args, username, reset=False, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named “{username}”. Create it first (manage.py createsuperuser or the admin).") from None
        if not user.is_active:
            raise CommandError(f"User “{username}” is inactive; activate it before giving it a token.")
        token = token_rotate(user=user) if reset else token_for(user=user)
        self.stdout.write(token.key)
