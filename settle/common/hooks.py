"""Functions of other apps named in settings, so that an app that the others build on can hear
from them without importing them (and without import cycles)."""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


def hooks(setting: str) -> list[Callable]:
    """The functions listed by dotted path in `settings.<setting>`, imported once."""
    return _imported(tuple(getattr(settings, setting, ())))


@cache
def _imported(paths: tuple[str, ...]) -> list[Callable]:
    return [import_string(path) for path in paths]
