import os
import signal
import threading

from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application
from waitress.server import create_server

from settle.common.checks import production_startup_refuse
from settle.common.worker import worker_run


class Command(BaseCommand):
    help = (
        "Serve the back office and the portal with waitress and an in-process worker "
        "(the embedded default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")
        # A handful of threads keeps a 2-core machine busy; more would only queue on SQLite's
        # single writer. Connections beyond the threads wait in waitress, not in the database.
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("SETTLE_SERVE_THREADS", "8"))
        )

    def handle(self, *args, port: str, host: str, threads: int, **options):
        production_startup_refuse()
        # waitress, not runserver: a production server with a bounded thread pool, started
        # in this process so that the worker thread runs once beside it with no other service.
        server = create_server(
            get_wsgi_application(),
            host=host,
            port=int(port),
            threads=threads,
            connection_limit=1000,
            ident="settle",
        )
        stop = threading.Event()
        worker = threading.Thread(
            target=worker_run, kwargs={"stop": stop}, name="settle-worker", daemon=True
        )
        # SIGTERM (systemd, docker stop) ends like Ctrl-C: the worker finishes its round.
        signal.signal(signal.SIGTERM, _interrupt)
        worker.start()
        # The console speaks English, like the README.
        self.stdout.write(
            f"Settle is serving on http://{host}:{port}/ (waitress, {threads} threads, "
            "worker in-process). Quit with CONTROL-C."
        )
        self.stdout.flush()
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            stop.set()
            worker.join(timeout=30)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
