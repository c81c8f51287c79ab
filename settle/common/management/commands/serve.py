import os
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from settle.common.worker import worker_run


class Command(BaseCommand):
    help = "Serve the back office and the portal with an in-process worker (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: str, host: str, **options):
        stop = threading.Event()
        worker = threading.Thread(target=worker_run, kwargs={"stop": stop}, daemon=True)
        worker.start()
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            stop.set()
            worker.join(timeout=10)
