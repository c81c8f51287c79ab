"""Settings for benchmarks only: Settle's own settings plus the floor URL (see urls.py).

Used through DJANGO_SETTINGS_MODULE=benchsite.settings with bench/ on the Python path; nothing in
the settle package knows about it.
"""

from settle.config.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.urls"
