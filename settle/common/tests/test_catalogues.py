"""The translation catalogues: complete, placeholder-safe, compiled, and in use.

The .po files are read by a small parser of our own so the check needs nothing beyond the
standard library. The compiled .mo files are compared message by message with their .po files
rather than by modification time, which a checkout does not preserve.
"""

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import settle

LOCALE_DIR = Path(settle.__file__).parent / "locale"
LANGUAGES = ["nl", "en"]

# %(name)s-style and positional %-placeholders, %%, {0}/{name}, and HTML tags: a translation
# that loses or misspells one of these breaks the page or raises at formatting time.
PLACEHOLDER = re.compile(
    r"%%"
    r"|%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[sdrfi]"
    r"|\{\w*\}"
    r"|</?[a-zA-Z][^<>]*>"
)
ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> str:
        """The original string as msgfmt writes it into a .mo file."""
        original = self.msgid if self.msgid_plural is None else f"{self.msgid}\0{self.msgid_plural}"
        return original if self.msgctxt is None else f"{self.msgctxt}\x04{original}"

    @property
    def translation(self) -> str:
        return "\0".join(self.msgstr[index] for index in sorted(self.msgstr))


def unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(1)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The live (not obsolete) entries of a .po file, header included."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    pending_flags: set[str] = set()

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    def assign(where: tuple[str, int | None], text: str, append: bool) -> None:
        name, index = where
        if name == "msgstr":
            current.msgstr[index] = (current.msgstr.get(index, "") if append else "") + text
        else:
            setattr(current, name, ((getattr(current, name) or "") if append else "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete: msgfmt leaves it out too
            continue
        if line.startswith("#,"):
            if current is not None and target and target[0] == "msgstr":
                finish()
            pending_flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if current is not None and target and target[0] == "msgstr":
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            assign(target, unquote(line), append=True)
            continue
        if (
            keyword in {"msgctxt", "msgid"}
            and current is not None
            and target
            and target[0] == "msgstr"
        ):
            finish()
        if current is None:
            current = Entry(line=number, flags=pending_flags)
            pending_flags = set()
        plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural:
            target = ("msgstr", int(plural.group(1)))
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword in {"msgctxt", "msgid", "msgid_plural"}:
            target = (keyword, None)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        assign(target, unquote(rest), append=False)
    finish()
    return entries


def parse_mo(path: Path) -> dict[str, str]:
    """A compiled catalogue as {original: translation}, read from its binary layout."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = {0x950412DE: "<", 0xDE120495: ">"}.get(magic)
    assert order, f"{path} is not a .mo file (magic {magic:#x})"
    _revision, count, originals_at, translations_at = struct.unpack(order + "4I", data[4:20])

    def string(table: int, index: int) -> str:
        length, offset = struct.unpack(
            order + "2I", data[table + 8 * index : table + 8 * index + 8]
        )
        return data[offset : offset + length].decode("utf-8")

    return {string(originals_at, i): string(translations_at, i) for i in range(count)}


def catalogue(language: str) -> list[Entry]:
    return parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def described(entry: Entry) -> str:
    return f"line {entry.line}: {entry.msgid!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_reads_a_catalogue_of_the_whole_project(language):
    entries = catalogue(language)
    assert entries[0].is_header
    assert f"Language: {language}\n" in entries[0].msgstr[0]
    assert len(entries) > 100
    assert [e for e in entries if e.is_header] == [entries[0]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_message(language):
    untranslated = [
        described(entry)
        for entry in catalogue(language)[1:]
        if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_no_fuzzy_translations(language):
    assert [described(entry) for entry in catalogue(language) if "fuzzy" in entry.flags] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_every_placeholder_of_the_source(language):
    wrong = []
    for entry in catalogue(language)[1:]:
        for index, text in entry.msgstr.items():
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if placeholders(text) != placeholders(source):
                wrong.append(f"{described(entry)} msgstr[{index}] = {text!r}")
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_plural_forms_for_every_plural_message(language):
    entries = catalogue(language)
    assert "nplurals=2; plural=(n != 1);" in entries[0].msgstr[0]
    wrong = [
        described(e) for e in entries if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]
    ]
    assert wrong == []


def test_it_keeps_the_english_catalogue_identical_to_the_source():
    different = [
        described(entry)
        for entry in catalogue("en")[1:]
        if entry.msgstr
        != (
            {0: entry.msgid}
            if entry.msgid_plural is None
            else {0: entry.msgid, 1: entry.msgid_plural}
        )
    ]
    assert different == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_compiled_every_catalogue_as_it_stands(language):
    compiled = parse_mo(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo")
    source = {entry.key: entry.translation for entry in catalogue(language)}
    # msgfmt leaves the POT-Creation-Date out of the compiled header, for reproducible builds.
    compiled[""], source[""] = (
        re.sub(r"POT-Creation-Date: [^\n]*\n", "", h) for h in (compiled[""], source[""])
    )
    assert len(compiled) == len(source), "the .mo is stale: run `settle compilemessages`"
    stale = sorted(key for key in source if compiled.get(key) != source[key])
    assert stale == [], "the .mo is stale: run `settle compilemessages`"


@pytest.mark.django_db
def test_it_shows_the_back_office_in_dutch_to_a_dutch_browser(client):
    page = client.get(reverse("backoffice:login"), headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    html = page.content.decode()
    assert '<html lang="nl">' in html
    assert "Inloggen bij de backoffice" in html
    assert "Sign in to the back office" not in html


@pytest.mark.django_db
def test_it_shows_the_back_office_in_dutch_by_default(client):
    html = client.get(reverse("backoffice:login")).content.decode()
    assert "Inloggen bij de backoffice" in html


@pytest.mark.django_db
def test_it_follows_the_language_cookie_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("backoffice:login"), headers={"Accept-Language": "nl"})
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to the back office" in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    page = client.get(reverse("backoffice:login"), headers={"Accept-Language": "en"})
    assert "Inloggen bij de backoffice" in page.content.decode()
