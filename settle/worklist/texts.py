"""A task's title and description, written in the reader's language when they are shown.

A task stores what it is: its kind and, in `Task.params`, the sentences of its text as message
ids with their arguments (never translated text). Amounts, dates and names entered in both
languages are kept as what they are and formatted for the active language here, so an
employee working in English reads English whatever language the workflow ran in. Tasks from
before this (`params` empty) show the text they stored.

A piece of text (`title`, each of `lines`) is one of:
    {"msgid": "Paid %(amount)s", "args": {...}}  a sentence, translated when shown
    {"format": "- %(number)s: %(amount)s", "args": {...}}  layout only, not translated
    {"nl": "…", "en": "…"}                        a text an administrator entered in both
    "…"                                           text as it is (an invoice number, a filename)
An argument is plain text or a number, one of the pieces above, {"money": "12.50"} or
{"date": "2026-12-04"}.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.formats import date_format
from django.utils.translation import gettext

from settle.common.languages import in_language
from settle.common.money import money


def task_title(task) -> str:
    """The task's title in the active language."""
    if not task.params:
        return task.title
    if "title" in task.params:
        return text_render(task.params["title"])
    return str(task.get_kind_display())


def task_description(task) -> str:
    """The task's description in the active language, one line per line."""
    if not task.params:
        return task.description
    return "\n".join(text_render(line) for line in task.params.get("lines", ()))


def text_render(piece) -> str:
    """One piece of a task's text (see the module's docstring) in the active language."""
    if isinstance(piece, str):
        return piece
    if isinstance(piece, int | float):
        return str(piece)
    if not isinstance(piece, dict):
        return ""
    if "msgid" in piece or "format" in piece:
        pattern = gettext(piece["msgid"]) if "msgid" in piece else piece["format"]
        args = {name: _argument(value) for name, value in piece.get("args", {}).items()}
        try:
            return pattern % args if args else pattern
        except (KeyError, TypeError, ValueError):
            # A translation that lost a placeholder still shows its words.
            return pattern
    if "nl" in piece or "en" in piece:
        return in_language(piece.get("nl", ""), piece.get("en", "")) or piece.get("nl", "")
    return ""


def _argument(value):
    if isinstance(value, dict) and "money" in value:
        try:
            return money(Decimal(str(value["money"])), value.get("currency", "EUR"))
        except (InvalidOperation, ValueError):
            return str(value["money"])
    if isinstance(value, dict) and "date" in value:
        try:
            return date_format(date.fromisoformat(value["date"]), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value["date"])
    if isinstance(value, int | float):
        return value
    return text_render(value)


# Helpers for the apps that create tasks, so that what they store has one shape.


def sentence(msgid: str, **args) -> dict:
    """A sentence to translate when shown; mark `msgid` with gettext_noop where it is written."""
    return {"msgid": msgid, "args": args} if args else {"msgid": msgid}


def layout(pattern: str, **args) -> dict:
    return {"format": pattern, "args": args}


def amount(value: Decimal, currency: str = "EUR") -> dict:
    return {"money": str(value), "currency": currency}


def day(value: date) -> dict:
    return {"date": value.isoformat()}


def both(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}
