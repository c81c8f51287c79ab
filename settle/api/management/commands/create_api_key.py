from django.core.management.base import BaseCommand, CommandError

from settle.api.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for the REST API. The key is printed once, as the last line; "
        "only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses the key, e.g. the ERP's name.")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Give the key a name of 1 to 100 characters.")
        api_key, key = api_key_create(name=name)
        self.stdout.write(
            f"Created API key {api_key.name!r} ({api_key.prefix}…). Store it now; it is not "
            "shown again. Send it as: Authorization: Bearer <key>"
        )
        # The key alone on the last line, so scripts can take it with `tail -n 1`.
        self.stdout.write(key)
