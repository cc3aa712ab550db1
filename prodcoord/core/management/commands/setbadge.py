"""Give a person a badge number and PIN for floor mode, or a new PIN.

manage.py setbadge <username> --badge 1001 --pin 2468
manage.py setbadge <username> --pin 9753          # a new PIN, the badge stays
manage.py setbadge <username>                     # asks for the PIN without echoing it
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from prodcoord.core.badges import operator_badge_set


class Command(BaseCommand):
    help = "Set a person's floor-mode badge number and/or PIN (the PIN is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--badge", help="The badge number (letters A–Z, digits, - and _).")
        parser.add_argument("--pin", help="4 to 8 digits. Without it (and without --badge only), the PIN is asked for.")

    def handle(self, *args, username, badge, pin, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}.")
        if pin is None and (badge is None or not hasattr(user, "badge")):
            pin = getpass.getpass("PIN: ")
            if getpass.getpass("PIN again: ") != pin:
                raise CommandError("The two PINs differ.")
        try:
            saved = operator_badge_set(actor=None, user=user, badge=badge, pin=pin)
        except ValidationError as error:
            raise CommandError("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"{user.username} signs in on floor mode with badge {saved.badge}."))
