"""Functions of other apps named in settings, so that an app that the others build on can hear
from them without importing them (and without import cycles)."""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


def hooks(setting: str) -> list[Callable]:
    """The functions listed by dotted path in `settings.<setting>`, imported once."""
    return _imported(tuple(getattr(settings, setting, ())))


def hook(setting: str, key: str) -> Callable | None:
    """The function named by dotted path under `key` in the dict `settings.<setting>` (a
    registry keyed by, e.g., workflow kind), imported once; None when nothing is registered."""
    path = getattr(settings, setting, {}).get(key)
    return _imported((path,))[0] if path else None


@cache
def _imported(paths: tuple[str, ...]) -> list[Callable]:
    return [import_string(path) for path in paths]
