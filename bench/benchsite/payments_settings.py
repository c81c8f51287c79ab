"""Settings for bench/payment_webhooks.py only: Settle's own settings plus the webhook floor
(see payments_urls.py).

Used through DJANGO_SETTINGS_MODULE=benchsite.payments_settings with bench/ on the Python path;
nothing in the settle package knows about it.
"""

from settle.config.settings import *  # noqa: F403

ROOT_URLCONF = "benchsite.payments_urls"
