"""Benchmark: 5,000 e-mails through the outbox to a local SMTP server, against a bare smtplib loop.

    python bench/outbox_smtp.py                  # SQLite (the embedded default), a fresh file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/settle_bench_outbox python bench/outbox_smtp.py

A PostgreSQL database named in DATABASE_URL is dropped and created afresh; never point it at real
data. Without a PostgreSQL DATABASE_URL the benchmark uses a new SQLite file in a temporary folder
(never the file DATABASE_URL may name).

The SMTP server is aiosmtpd on 127.0.0.1 in a process of its own, so it does not share the
sender's interpreter lock. It accepts every message, counts it and notes its Message-ID; nothing
else, so that both senders meet the same server.

Measured:
1. floor   - one smtplib connection, 5,000 `sendmail` calls, each message built in the loop with
             the standard library's EmailMessage: plain text plus an HTML alternative, as Settle
             sends (about 4 KB each as sent).
2. Settle  - 5,000 messages queued with `message_queue`, each call its own transaction (timed
             apart, not in the ratio), then `messages_process_due()` until nothing is due, with
             Django's SMTP backend set up through SETTLE_SMTP_URL as an operator would.
Context: the floor's loop with every message built beforehand, so only the SMTP conversation is
timed. Every run is checked: the server got exactly 5,000 messages carrying the expected 5,000
distinct Message-IDs, and every outbox row is SENT.
Reported: seconds, messages per second, CPU seconds of sender and server, SMTP sessions, and
Settle delivery / floor (goal >= 50 %). `--profile` prints a cProfile of the delivery on stderr.
"""

import argparse
import multiprocessing
import os
import re
import smtplib
import socket
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchsite.database import database_recreate  # noqa: E402 (after the path is set)

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
GOAL = 0.50
SENDER = "settle@localhost"
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


# --- the SMTP server, in its own process ------------------------------------------------------


class Tally:
    """aiosmtpd handler: accepts everything, keeps each message's Message-ID and size, and
    counts the SMTP sessions (connections) that delivered at least one message."""

    def __init__(self):
        self.ids: list[bytes | None] = []
        self.size = 0
        self.sessions = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        content = envelope.content
        found = MESSAGE_ID.search(content, 0, content.find(b"\r\n\r\n"))
        self.ids.append(found.group(1) if found else None)
        self.size += len(content)
        if not getattr(session, "tallied", False):
            session.tallied = True
            self.sessions += 1
        return "250 OK"

    def take(self) -> dict:
        ids, size, sessions = self.ids, self.size, self.sessions
        self.ids, self.size, self.sessions = [], 0, 0
        return {
            "ids": [i.decode() if i else None for i in ids],
            "bytes": size,
            "sessions": sessions,
        }


def smtp_serve(port: int, pipe) -> None:
    """Run the server until told to stop; answer "take" with what arrived since the last one."""
    from aiosmtpd.controller import Controller

    tally = Tally()
    controller = Controller(tally, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send("ready")
    cpu = time.process_time()
    while (command := pipe.recv()) != "stop":
        assert command == "take", command
        now = time.process_time()
        pipe.send({**tally.take(), "cpu": now - cpu})
        cpu = now
    controller.stop()


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        context = multiprocessing.get_context("spawn")
        self._pipe, child_end = context.Pipe()
        self._process = context.Process(target=smtp_serve, args=(self.port, child_end), daemon=True)
        self._process.start()
        if not self._pipe.poll(30) or self._pipe.recv() != "ready":
            raise SystemExit("the SMTP server did not start")

    def take(self) -> dict:
        """Message-IDs, bytes and server CPU seconds since the previous take."""
        self._pipe.send("take")
        return self._pipe.recv()

    def stop(self) -> None:
        self._pipe.send("stop")
        self._process.join(30)


# --- the e-mail both sides send ---------------------------------------------------------------


def email_parts(n: int) -> tuple[str, str, str]:
    """Subject, text and HTML of a first reminder for four invoices, about the size of the one
    Settle's default template writes: some 1.2 KB of text and 2.2 KB of HTML."""
    rows = [
        (f"F2025-{n:05d}-{i}", f"{14 + i:02d}-03-2025", f"€ {(n * 7 + i * 13) % 900 + 100},{i:02d}")
        for i in range(4)
    ]
    link = f"https://settle.example.nl/p/{n:032x}"
    paragraphs = [
        f"Geachte heer of mevrouw Debiteur {n},",
        "Misschien is het u ontgaan, maar volgens onze administratie hebben wij de betaling van "
        "de onderstaande facturen nog niet ontvangen:",
        "TABLE",
        "Wij vragen u vriendelijk het openstaande bedrag van € 2.345,67 zo snel mogelijk te "
        "betalen.",
        "LINK",
        "Deze link is 30 dagen geldig, tot en met 30 april 2025. De link is persoonlijk: deel "
        "hem niet met anderen. In het portaal kunt u ook reageren, bijvoorbeeld als u al betaald "
        "heeft, als u het niet eens bent met een factuur of als u een betalingsregeling wilt "
        "voorstellen.",
        "Maakt u het bedrag liever zelf over? Gebruik dan rekeningnummer NL00 BANK 0123 4567 89 "
        "(BIC BANKNL2A) ten name van Voorbeeld Incasso B.V. en vermeld het factuurnummer.",
        "Heeft u inmiddels betaald? Dan kunt u deze herinnering als niet verzonden beschouwen.",
        "Met vriendelijke groet,",
        "SIGNATURE",
    ]
    signature = [
        "Voorbeeld Incasso B.V.",
        "Dorpsstraat 1, 3511 AB Utrecht",
        "Telefoon: 030 123 45 67",
        "E-mail: debiteuren@voorbeeld.nl",
        "https://www.voorbeeld.nl",
    ]
    text_parts = {
        "TABLE": "\n".join(f"  {number}   {day}   {amount}" for number, day, amount in rows),
        "LINK": f"U betaalt het snelst online in uw persoonlijke portaal:\n{link}",
        "SIGNATURE": "\n".join(signature),
    }
    html_parts = {
        "TABLE": '<table style="border-collapse:collapse;width:100%">'
        '<tr><th style="text-align:left">Factuur</th><th style="text-align:left">Vervaldatum'
        '</th><th style="text-align:right">Openstaand</th></tr>'
        + "".join(
            f'<tr><td>{number}</td><td>{day}</td><td style="text-align:right">{amount}</td></tr>'
            for number, day, amount in rows
        )
        + "</table>",
        "LINK": f'<p><a href="{link}" style="font-weight:bold">Betaal online in uw persoonlijke '
        f"portaal</a></p>",
        "SIGNATURE": f"<p><strong>{signature[0]}</strong><br>"
        + "<br>".join(signature[1:])
        + "</p>",
    }
    text = "\n\n".join(text_parts.get(p, p) for p in paragraphs) + "\n"
    body = "\n".join(html_parts.get(p, f"<p>{p}</p>") for p in paragraphs)
    subject = f"Herinnering: 4 facturen van Voorbeeld Incasso B.V. staan nog open ({n})"
    html = (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{subject}</title>\n</head>\n"
        '<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;'
        'font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5">\n'
        f'<div style="max-width:640px;margin:0 auto">\n{body}\n</div>\n</body>\n</html>\n'
    )
    return subject, text, html


# --- measurements -----------------------------------------------------------------------------


def email_build(n: int, message_id: str) -> tuple[str, bytes]:
    """The floor's e-mail number `n` as the standard library builds it: recipient and bytes."""
    subject, text, html = email_parts(n)
    recipient = f"debtor{n}@example.nl"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = SENDER
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return recipient, message.as_bytes(policy=policy.SMTP)


def floor_send(port: int, run: int, *, prebuilt: bool) -> tuple[float, float, set[str]]:
    """Seconds and CPU seconds to send every message over one smtplib connection: built in the
    loop (the floor), or built beforehand so that only the SMTP conversation is timed."""
    ids = [f"<floor-{run}-{'wire-' if prebuilt else ''}{n}@settle>" for n in range(MESSAGES)]
    built = [email_build(n, ids[n]) for n in range(MESSAGES)] if prebuilt else None
    cpu = time.process_time()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(MESSAGES):
            recipient, content = built[n] if built else email_build(n, ids[n])
            smtp.sendmail(SENDER, [recipient], content)
    return time.perf_counter() - started, time.process_time() - cpu, set(ids)


def settle_queue(run: int) -> float:
    """Seconds to queue every message, each `message_queue` call in its own transaction."""
    from settle.correspondence.models import Channel
    from settle.correspondence.services import message_queue

    started = time.perf_counter()
    for n in range(MESSAGES):
        subject, text, html = email_parts(n)
        message_queue(
            channel=Channel.EMAIL,
            recipient=f"debtor{n}@example.nl",
            subject=subject,
            body_text=text,
            body_html=html,
            cause="bench",
            idempotency_key=f"bench-{run}-{n}",
        )
    return time.perf_counter() - started


def settle_deliver(profile: bool) -> tuple[float, float]:
    """Seconds and CPU seconds for the worker to deliver everything due."""
    from settle.correspondence.delivery import messages_process_due

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = time.process_time()
    started = time.perf_counter()
    while messages_process_due():
        pass
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    return seconds, cpu


def received_check(what: str, received: dict, expected: set[str]) -> None:
    ids = received["ids"]
    if len(ids) != MESSAGES or len(set(ids)) != MESSAGES or set(ids) != expected:
        raise SystemExit(
            f"{what}: the server accepted {len(ids):,} messages with {len(set(ids)):,} distinct "
            f"Message-IDs, {len(set(ids) & expected):,} of them expected; wanted {MESSAGES:,}"
        )


def settle_run(server: SmtpServer, run: int, profile: bool) -> dict:
    from settle.correspondence.delivery import message_id
    from settle.correspondence.models import Message, MessageStatus

    Message.objects.all().delete()  # every run starts from an empty outbox
    queue_seconds = settle_queue(run)
    seconds, cpu = settle_deliver(profile)
    received = server.take()
    messages = list(Message.objects.all())
    sent = sum(1 for m in messages if m.status == MessageStatus.SENT)
    if sent != MESSAGES or len(messages) != MESSAGES:
        raise SystemExit(f"Settle: {sent:,} of {len(messages):,} rows SENT, wanted {MESSAGES:,}")
    received_check("Settle", received, {message_id(m) for m in messages})
    return {
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": received["cpu"],
        "bytes": received["bytes"],
        "sessions": received["sessions"],
        "queue_seconds": queue_seconds,
    }


def floor_run(server: SmtpServer, run: int, *, prebuilt: bool = False) -> dict:
    seconds, cpu, expected = floor_send(server.port, run, prebuilt=prebuilt)
    received = server.take()
    received_check("floor", received, expected)
    return {
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": received["cpu"],
        "bytes": received["bytes"],
        "sessions": received["sessions"],
    }


# --- setup ------------------------------------------------------------------------------------


def django_setup(url: str, var_dir: Path, smtp_port: int) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "settle.config.settings",
            "SETTLE_VAR_DIR": str(var_dir),
            "SETTLE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DEFAULT_FROM_EMAIL": SENDER,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the Settle delivery")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith("postgres")
    server = SmtpServer()
    try:
        with tempfile.TemporaryDirectory(prefix="settle-bench-outbox-") as var_dir:
            if postgres:
                database_recreate(url)
            else:
                url = f"sqlite:///{Path(var_dir) / 'bench.sqlite3'}"
            database = "PostgreSQL" if postgres else "SQLite (WAL, synchronous=NORMAL)"
            print(
                f"outbox_smtp: {MESSAGES:,} e-mails, {database}, "
                "aiosmtpd on 127.0.0.1 in its own process",
                flush=True,
            )
            django_setup(url, Path(var_dir), server.port)
            floors, wires, settles = [], [], []
            for run in range(REPEAT):
                floors.append(floor_run(server, run))
                wires.append(floor_run(server, run, prebuilt=True))
                settles.append(settle_run(server, run, args.profile))
    finally:
        server.stop()
    best = [min(runs, key=lambda r: r["seconds"]) for runs in (floors, wires, settles)]
    report(*best)


def report(floor: dict, wire: dict, settle: dict) -> None:
    print(f"best of {REPEAT} runs; CPU seconds of the sending process and of the SMTP server")
    print(
        f"{'':<48}{'seconds':>8}{'msgs/s':>9}{'CPU s':>7}{'server':>8}{'SMTP sessions':>15}"
        f"{'bytes/msg':>11}"
    )
    lines = [
        ("smtplib, messages built beforehand (context)", wire),
        ("floor: smtplib + EmailMessage, one connection", floor),
        ("Settle: delivery (messages_process_due)", settle),
    ]
    for label, run in lines:
        print(
            f"{label:<48}{run['seconds']:>8.2f}{MESSAGES / run['seconds']:>9,.0f}"
            f"{run['cpu']:>7.2f}{run['server_cpu']:>8.2f}{run['sessions']:>15,}"
            f"{run['bytes'] / MESSAGES:>11,.0f}"
        )
    queue = settle["queue_seconds"]
    label = "Settle: queueing (message_queue), not in ratio"
    print(f"{label:<48}{queue:>8.2f}{MESSAGES / queue:>9,.0f}")
    ratio = floor["seconds"] / settle["seconds"]
    verdict = "OK" if ratio >= GOAL else "BELOW GOAL"
    print(f"ratio Settle delivery / floor: {ratio:.0%} (goal >= {GOAL:.0%}: {verdict})")
    print(
        f"checked every run: the server accepted exactly {MESSAGES:,} messages with the expected "
        f"distinct Message-IDs from each side, and all {MESSAGES:,} rows are SENT"
    )


if __name__ == "__main__":
    main()
