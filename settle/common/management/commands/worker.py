import signal
import threading

from django.core.management.base import BaseCommand

from settle.common.checks import production_startup_refuse
from settle.common.worker import worker_run, worker_run_once


class Command(BaseCommand):
    help = "Run the background worker: every registered *_process_due service, in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")

    def handle(self, *args, once: bool = False, **options):
        production_startup_refuse()
        if once:
            handled = worker_run_once()
            self.stdout.write(f"handled {handled}")
            return
        stop = threading.Event()
        # Finish the row in hand, then leave: a stop never abandons half-done work.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker_run(stop=stop)
