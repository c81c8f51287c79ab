"""Picking the Dutch or English variant of a configurable text (names and labels that an
administrator enters in both languages) for the active language."""

from django.utils.translation import get_language


def in_language(nl: str, en: str) -> str:
    """`en` when the active language is English, else `nl` (Dutch is the default)."""
    return en if (get_language() or "nl").startswith("en") else nl
