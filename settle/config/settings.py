"""Settle's one settings module; all that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from settle.common.currencies import currencies_unknown
from settle.config.env import ConfigurationError, env_bool, env_int, env_list, env_str
from settle.payments.configuration import PaymentsConfigurationError, payments_config_parse

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SETTLE_VAR_DIR", str(Path.cwd() / "var"))).resolve()

SETTLE_ENV = env_str("SETTLE_ENV", "development")
PRODUCTION = SETTLE_ENV == "production"

INSECURE_SECRET_KEY = "settle-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else INSECURE_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ConfigurationError(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

DEBUG = env_bool("DEBUG", default=False)

# Every absolute link Settle writes (portal links in messages, API callbacks) is built from
# this, never from the request's Host header, so a forged Host cannot poison a link.
SETTLE_BASE_URL = env_str("SETTLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(SETTLE_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ConfigurationError(f"SETTLE_BASE_URL must be an http(s) URL, not {SETTLE_BASE_URL!r}")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_base.hostname, "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "settle.common",
    "settle.receivables",
    "settle.api",
    "settle.portal",
    "settle.responses",
    "settle.correspondence",
    "settle.worklist",
    "settle.payments",
    "settle.arrangements",
    "settle.dunning",
    "settle.backoffice",
    "django_filters",
]

# A refused form gets a page in the user's language (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "settle.common.csrf.csrf_failure"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: the API speaks English unless Accept-Language asks for Dutch.
    "settle.api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "settle.common.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "settle.common.middleware.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "settle.config.urls"
WSGI_APPLICATION = "settle.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The error pages (404.html, 500.html, ...), which belong to no one app.
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "settle.common.context_processors.language_next",
                "settle.common.context_processors.backoffice_home",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'settle.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the in-process worker write while pages read; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on the busy timeout instead of failing on lock upgrade; and
    # settle.common.sqlite lines up the writers of this process first come, first served, where
    # SQLite's busy handler would let a writer that waits long lose to newcomers past the timeout.
    DATABASES["default"]["ENGINE"] = "settle.common.sqlite"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # A file, not the in-memory default: the concurrency tests open several connections.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a query's plan when its estimated cost is high; for the dunning
    # overview's counts over 100,000 invoices compiling took 2.2 s of a 2.6 s query. Settle's
    # queries are short: JIT off, unless DATABASE_URL brings connection options of its own.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes first: it refuses a locked-out account or address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# Dates in English the European way (settle/formats/en): day first.
FORMAT_MODULE_PATH = ["settle.formats"]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("SETTLE_TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # WhiteNoise serves from the finders here but warns when the collect folder is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("SETTLE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "backoffice:login"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SETTLE_IMPORT_MAX_BYTES = env_int("SETTLE_IMPORT_MAX_BYTES", 100 * 1024 * 1024)
SETTLE_DOCUMENT_MAX_BYTES = env_int("SETTLE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# The currencies the organisation invoices and is paid in (ISO 4217, comma-separated); invoices
# and payments in any other currency are refused.
SETTLE_CURRENCIES = [code.upper() for code in env_list("SETTLE_CURRENCIES", ["EUR"])]
if not SETTLE_CURRENCIES or currencies_unknown(SETTLE_CURRENCIES):
    raise ConfigurationError(
        "SETTLE_CURRENCIES must list ISO 4217 currency codes such as EUR,USD; unknown: "
        + ", ".join(currencies_unknown(SETTLE_CURRENCIES))
    )

# E-mail: SMTP when SETTLE_SMTP_URL is set (smtp://user:pass@host:587?starttls=1, or smtps://
# for TLS from the first byte). Without it (the embedded default) nothing leaves the machine: the
# dummy backend accepts and drops each e-mail, and the outbox's Message rows are the log.
SETTLE_SMTP_URL = env_str("SETTLE_SMTP_URL")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "settle@localhost")
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
if SETTLE_SMTP_URL:
    _smtp = urlsplit(SETTLE_SMTP_URL)
    if _smtp.scheme not in {"smtp", "smtps"} or not _smtp.hostname:
        raise ConfigurationError("SETTLE_SMTP_URL must look like smtp://user:password@host:port")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _smtp.hostname
    EMAIL_PORT = _smtp.port or (465 if _smtp.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_smtp.username or "")
    EMAIL_HOST_PASSWORD = unquote(_smtp.password or "")
    EMAIL_USE_SSL = _smtp.scheme == "smtps"
    EMAIL_USE_TLS = parse_qs(_smtp.query).get("starttls", [""])[0].lower() in {"1", "true", "yes"}
    EMAIL_TIMEOUT = 30

# SMS: CM.com when SETTLE_SMS_URL is cm://PRODUCTTOKEN@gw.messaging.cm.com?sender=Settle (see
# settle/correspondence/sms.py). Without it nothing is sent: each SMS is only logged.
SETTLE_SMS_URL = env_str("SETTLE_SMS_URL")

# Online payment: which provider, with its keys (settle/payments/configuration.py lists the
# forms). Unset: the demo checkout, except in production. The secret may come from
# SETTLE_PAYMENTS_URL_FILE instead.
try:
    SETTLE_PAYMENTS = payments_config_parse(env_str("SETTLE_PAYMENTS_URL"), production=PRODUCTION)
except PaymentsConfigurationError as exc:
    raise ConfigurationError(str(exc)) from None
# How long after its creation the worker first asks the provider about a payment that no
# webhook has settled (the providers' own webhook retries come first); later asks come at
# growing intervals (settle.payments.services.payment_requests_process_due).
SETTLE_PAYMENTS_POLL_AFTER_MINUTES = env_int("SETTLE_PAYMENTS_POLL_AFTER_MINUTES", 30)

# The services the worker loop runs, in order; each claims its own due rows and returns how
# many it handled. Later issues add theirs here.
SETTLE_WORKER_TASKS = [
    "settle.receivables.imports.import_job_process_due",
    "settle.correspondence.delivery.messages_process_due",
    "settle.responses.promises.promises_process_due",
    "settle.arrangements.instalments.instalments_process_due",
    "settle.payments.services.payment_requests_process_due",
    "settle.payments.notifications.notifications_process_due",
    "settle.dunning.schedules.schedules_process_due",
    "settle.dunning.processing.items_process_due",
]
# Called with `allocations=[(invoice, amount), ...]` (every invoice a payment reached, paid in
# full or in part) in the payment's transaction
# (settle.receivables.services.payments.payment_book), so workflows waiting for that money settle
# at once.
SETTLE_ON_PAYMENT_ALLOCATED = [
    "settle.responses.workflows.payment_allocated",
    "settle.arrangements.instalments.payment_allocated",
]
# Why a response cannot be closed by hand now (a workflow still runs on it): see response_hold.
SETTLE_RESPONSE_HOLDS = ["settle.arrangements.selectors.arrangement_hold"]
# Why a task cannot be completed by hand now, and what follows a completed task (called in
# settle.worklist.services.task_complete's transaction): the worklist sits below the responses.
SETTLE_TASK_HOLDS = ["settle.responses.closing.task_hold"]
SETTLE_ON_TASK_COMPLETED = ["settle.responses.closing.task_completed"]
# What starts the workflow of a new response, by workflow kind, where an app above the responses
# owns it (settle.responses.workflows.workflow_start; the others the responses app runs itself).
SETTLE_WORKFLOW_STARTERS = {"arrangement": "settle.arrangements.services.arrangement_start"}
# What a response form shows while the debtor types (settle.responses.hints).
SETTLE_RESPONSE_FORM_HINTS = ["settle.arrangements.selectors.proposal_hint"]
# The portal link a message shows (correspondence, below the portal, asks through this):
# see settle.portal.services.portal_link_for_message.
SETTLE_MESSAGE_LINK = ["settle.portal.services.portal_link_for_message"]
# More values a message's templates get from the apps above correspondence (the pay link and
# whether debtors can pay online): see settle.portal.paylinks.message_pay_values.
SETTLE_MESSAGE_VALUES = ["settle.portal.paylinks.message_pay_values"]
SETTLE_WORKER_IDLE_SECONDS = env_int("SETTLE_WORKER_IDLE_SECONDS", 2)

# How many reverse proxies in front of Settle append to X-Forwarded-For (for rate limits).
SETTLE_TRUSTED_PROXIES = env_int("SETTLE_TRUSTED_PROXIES", 0)
# More wrong API keys than this from one address within a minute, and the API answers 429.
SETTLE_API_FAILED_KEYS_PER_MINUTE = env_int("SETTLE_API_FAILED_KEYS_PER_MINUTE", 10)

# Back-office sign-in throttling (django-axes): after this many failed sign-ins an account, and
# separately an address, is locked for the cool-off (0: until an administrator unlocks it on
# the back office's "Locked sign-ins" page or with `settle axes_reset`).
AXES_FAILURE_LIMIT = env_int("SETTLE_SIGNIN_FAILURE_LIMIT", 5)
_signin_cooloff = env_int("SETTLE_SIGNIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_signin_cooloff) if _signin_cooloff else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "settle.backoffice.signin.signin_client_address"
AXES_LOCKOUT_CALLABLE = "settle.backoffice.signin.signin_locked_out"
# A successful sign-in forgets the failures of that account and that address: a few typing
# errors before it do not add up over a working day.
AXES_RESET_ON_SUCCESS = True
# Recording every successful sign-in would add a write to each; failures are what we need.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("SETTLE_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("SETTLE_CACHE_URL"),
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No page of Settle sends a Referer anywhere: a portal URL must never leak (see common/csrf.py).
SECURE_REFERRER_POLICY = "no-referrer"

# No inline script or style, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # An operator who switches these off has said so explicitly (TLS redirect or preload handled
    # at the proxy); the deploy check then keeps quiet about that one choice only.
    SILENCED_SYSTEM_CHECKS = [
        # Django looks for its own CSRF middleware by name; ours is a subclass of it (see
        # common/csrf.py), and settle.common.checks fails the deploy check without it.
        "security.W003",
        *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    ]
    if env_bool("SETTLE_BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_keys": {"()": "settle.common.logfilters.RedactPortalKeys"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_keys"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Axes tells every step of a sign-in at INFO; failures and lockouts come at WARNING.
        "axes": {"level": "WARNING"},
        # WeasyPrint reports every step of a letter's layout at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Request lines name the path, and a portal path holds a key: mask it on every logger.
        # The loggers that name the path also mask it themselves, for any handler added later.
        "django.server": {
            "handlers": ["console"],
            "filters": ["redact_keys"],
            "level": "INFO",
            "propagate": False,
        },
        "django.request": {
            "handlers": ["console"],
            "filters": ["redact_keys"],
            "level": "WARNING",
            "propagate": False,
        },
        "django.security.csrf": {"filters": ["redact_keys"]},
        "django.template": {"filters": ["redact_keys"]},
    },
}
