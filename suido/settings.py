"""Settings for Suido, read from the environment (see docs/deployment.md)."""

import json
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUIDO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Development and the embedded demo may run without a secret; production must set one.
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me" if DEBUG else None)
if SECRET_KEY is None:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "core",
    "staff",
    "customers",
    "metering",
    "servicedesk",
    "billing",
    "proactive",
    "collection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "suido.urls"
WSGI_APPLICATION = "suido.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# No DATABASE_URL: an SQLite file under var/ (the embedded default of `make demo`).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'suido.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the scheduler process write while the web server reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "staff.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "search"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Korean first, English complete; Seoul time; money is integer won.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
# Phone numbers written without a country code are Korean.
PHONE_DEFAULT_REGION = "KR"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Production runs collectstatic and sets STATIC_MANIFEST=1 for hashed, compressed, long-cached
# files; the demo and tests serve the source files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Field photos; served only through a view that checks permission, never as public files.
MAX_PHOTO_BYTES = env_int("MAX_PHOTO_BYTES", 8 * 1024 * 1024)
# Serve from the finders when nothing was collected (the demo and tests).
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL", "")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: a broker URL means real workers; none means embedded (tasks run in-process).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_EMBEDDED = not CELERY_BROKER_URL
if CELERY_EMBEDDED:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "core.tasks.clear_expired_sessions",
        "schedule": crontab(minute=30, hour=3),
    },
    "scheduler-heartbeat": {
        "task": "core.tasks.scheduler_heartbeat",
        "schedule": float(env_int("SCHEDULER_HEARTBEAT_SECONDS", 60)),
    },
    # The outbox sweep delivers what the on-commit task could not (broker down, retries due).
    "deliver-pending-notifications": {
        "task": "core.tasks.deliver_pending_notifications",
        "schedule": float(env_int("NOTIFICATION_SWEEP_SECONDS", 60)),
    },
    # Delay notices, escalation of overdue requests, Happy Call surveys falling due.
    "service-desk-sweep": {
        "task": "servicedesk.tasks.sweep_service_desk",
        "schedule": float(env_int("SERVICE_DESK_SWEEP_SECONDS", 300)),
    },
    # Continuous flows and bursts on AMI meters, from the hourly flows stored so far.
    "proactive-hourly-scan": {
        "task": "proactive.tasks.scan_hourly_flows",
        "schedule": crontab(minute=15),
    },
}

# Business calendar (core/calendar.py): office hours on working days; public holidays
# come from the `holidays` library, the utility's own closures from the Closure table.
OFFICE_OPENS = env_str("OFFICE_OPENS", "09:00")
OFFICE_CLOSES = env_str("OFFICE_CLOSES", "18:00")
HOLIDAY_COUNTRY = env_str("HOLIDAY_COUNTRY", "KR")

# Notifications (core/notify): e-mail through Django's mail backend (SMTP in production,
# the console in the demo), SMS through a pluggable backend class.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST", "")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# A hung SMTP server must fail well before the outbox reclaims the message (10 minutes).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Suido <no-reply@suido.invalid>")
SMS_BACKEND = env_str("SMS_BACKEND", "core.notify.backends.ConsoleSMSBackend")
SMS_SENDER = env_str("SMS_SENDER", "120")
# A failed delivery is retried this many times, waiting longer each time.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
# Links in notices (status page, survey) start with this address.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Happy Call: the survey goes out this many minutes after completion (the standard is within 60).
HAPPY_CALL_DELAY_MINUTES = env_int("HAPPY_CALL_DELAY_MINUTES", 30)

# Reading checks: a consumption more than HIGH above or LOW below the expected (the household's
# own history, same season last year first) is held for a billing officer, e.g. +70 % / −40 %.
READING_TOLERANCE_HIGH = float(env_str("READING_TOLERANCE_HIGH", "0.7"))
READING_TOLERANCE_LOW = float(env_str("READING_TOLERANCE_LOW", "0.4"))
# Below this expected consumption (m³) the band is not applied: small numbers swing too much.
READING_MIN_EXPECTED_M3 = env_int("READING_MIN_EXPECTED_M3", 5)
# The largest reading file accepted at once.
READING_FILE_MAX_BYTES = env_int("READING_FILE_MAX_BYTES", 50 * 1024 * 1024)

# Billing run (docs/billing.md). A reading counts for a month when it is taken this many
# days before or after the cycle's reading day.
BILLING_READ_WINDOW_DAYS = env_int("BILLING_READ_WINDOW_DAYS", 10)
# Accounts per chunk: one transaction of one worker.
BILLING_CHUNK_SIZE = env_int("BILLING_CHUNK_SIZE", 10000)
# An estimate needs at least this many days of valid readings in the last year.
BILLING_ESTIMATE_MIN_DAYS = env_int("BILLING_ESTIMATE_MIN_DAYS", 28)
# Bills are due this many days after they are issued (moved to the next business day).
BILL_DUE_DAYS = env_int("BILL_DUE_DAYS", 20)
# Leak reduction (누수감면): the usage without the leak is the daily average of the previous
# LEAK_BASELINE_MONTHS bills ("previous") or of the same month last year ("last_year");
# LEAK_REDUCTION_SHARE_PERCENT of the usage above it is waived.
LEAK_BASELINE = env_str("LEAK_BASELINE", "previous")
LEAK_BASELINE_MONTHS = env_int("LEAK_BASELINE_MONTHS", 3)
LEAK_REDUCTION_SHARE_PERCENT = env_int("LEAK_REDUCTION_SHARE_PERCENT", 50)

# --- Collection (docs/collection.md) ------------------------------------------------------------
# A bank's deposit or auto-debit result file of the whole city (a million lines) is about 80 MB.
PAYMENT_FILE_MAX_BYTES = env_int("PAYMENT_FILE_MAX_BYTES", 200 * 1024 * 1024)
# Card and online payment providers that may call /api/payments/<provider>/callback/, each with the
# secret it signs its calls with, as JSON: PAYMENT_CALLBACK_SECRETS='{"tosspay": "…", "kcp": "…"}'.
PAYMENT_CALLBACK_SECRETS = json.loads(env_str("PAYMENT_CALLBACK_SECRETS", "{}"))
# Credit left beside an owed bill (a payment committed while a billing chunk wrote the bill) is
# settled by a sweep this often.
CELERY_BEAT_SCHEDULE["collection-credit-sweep"] = {
    "task": "collection.tasks.settle_idle_credit",
    "schedule": float(env_int("COLLECTION_CREDIT_SWEEP_SECONDS", 600)),
}
# Auto-debit: a collection date's request file also asks again for the earlier unpaid bills (due
# since the mandate started) of the accounts with a bill due that day, e.g. last month's failed debit.
AUTO_DEBIT_INCLUDE_EARLIER = env_bool("AUTO_DEBIT_INCLUDE_EARLIER", False)

# --- Collection: late fees, dunning, reconnection (docs/collection.md "Late fees and dunning") ---
# Late fee (가산금) of the ordinance: a one-off percentage (decimals allowed, e.g. "2.5") of what a
# bill still owes LATE_FEE_GRACE_DAYS days after its due date, truncated to LATE_FEE_ROUND_TO won.
LATE_FEE_PERCENT = env_str("LATE_FEE_PERCENT", "3")
LATE_FEE_GRACE_DAYS = env_int("LATE_FEE_GRACE_DAYS", 0)
LATE_FEE_ROUND_TO = env_int("LATE_FEE_ROUND_TO", 10)
# Dunning stages, as JSON overriding the defaults (checked at start-up; unknown names are refused):
# {"reminder": {"after_days": 10, "deadline_days": 10},      납부 독촉: days after the oldest due date
#  "notice": {"after_days": 30, "deadline_days": 10},        단수 예고, with its deadline to pay
#  "disconnection": {"enabled": true}}                       단수: after the notice's deadline passes
DUNNING_STAGES = json.loads(env_str("DUNNING_STAGES", "{}"))
# Below this much overdue (won) nobody is dunned.
DUNNING_MIN_AMOUNT = env_int("DUNNING_MIN_AMOUNT", 10000)
# An installment of a payment arrangement (분납) this many days late breaks the arrangement.
ARRANGEMENT_GRACE_DAYS = env_int("ARRANGEMENT_GRACE_DAYS", 7)
# Whom a letter tells the customer to call besides their branch office.
DUNNING_CALL_CENTRE = env_str("DUNNING_CALL_CENTRE", "120")
CELERY_BEAT_SCHEDULE["collection-daily-dunning"] = {
    "task": "collection.tasks.run_daily_dunning",
    "schedule": crontab(minute=0, hour=env_int("DUNNING_RUN_HOUR", 6)),
}
# Reconnections a lost task missed (a payment cleared a disconnected account's arrears).
CELERY_BEAT_SCHEDULE["collection-reconnection-sweep"] = {
    "task": "collection.tasks.sweep_reconnections",
    "schedule": float(env_int("RECONNECTION_SWEEP_SECONDS", 300)),
}
# --- end of late fees and dunning ---

# --- Proactive care (docs/proactive.md) ---------------------------------------------------------
# Overrides of the unusual-usage thresholds (proactive.detection.Thresholds), as JSON, e.g.
# PROACTIVE_THRESHOLDS='{"min_ratio": 1.8, "min_excess_m3_per_day": 0.3}'. Unknown names are refused.
PROACTIVE_THRESHOLDS = json.loads(env_str("PROACTIVE_THRESHOLDS", "{}"))

# --- Bill documents and print batches (docs/bill-documents.md) ---------------------------------
# The Korean font comes from the operating system (Debian/Ubuntu: apt-get install fonts-nanum) and
# is embedded (subset) in every PDF. A missing file stops bill generation with a message naming it.
BILL_FONT_REGULAR = env_str("BILL_FONT_REGULAR", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
BILL_FONT_BOLD = env_str("BILL_FONT_BOLD", "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")
# Bills are written in the utility's language, whatever language the console is read in.
BILL_LANGUAGE = env_str("BILL_LANGUAGE", "ko")
# The issuer in the bill's heading, also shown as the holder of the payment accounts.
BILL_UTILITY_NAME = env_str("BILL_UTILITY_NAME", "수이도 상수도사업본부")


def _payment_account(item: str) -> tuple[str, str]:
    bank, sep, number = item.partition("=")
    if not sep or not bank.strip() or not number.strip():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"BILL_PAYMENT_ACCOUNTS: {item!r} is not “bank=account number”.")
    return bank.strip(), number.strip()


# Where a bill is paid: "bank=number" items, comma-separated. "{account}" in a number is replaced by
# the customer's account number, i.e. a virtual account per customer (가상계좌); a number without it
# is one collection account for everybody.
BILL_PAYMENT_ACCOUNTS = [
    _payment_account(item)
    for item in env_list("BILL_PAYMENT_ACCOUNTS", ["우리은행=2770-{account}", "신한은행=5620-{account}"])
]
# A print batch writes a billing run's bills into PDF files of at most this many bills each, with a
# manifest, in a directory per run under PRINT_BATCH_DIR.
PRINT_BATCH_BILLS_PER_FILE = env_int("PRINT_BATCH_BILLS_PER_FILE", 1000)
PRINT_BATCH_DIR = Path(env_str("PRINT_BATCH_DIR", str(VAR_DIR / "print-batches")))
# --- end of bill documents ---------------------------------------------------------------------

# The demo prints its logins and shows a hint on the login page.
SUIDO_DEMO = env_bool("SUIDO_DEMO", False)
# Search returns at most this many rows; the agent narrows the query instead of paging.
SEARCH_RESULT_LIMIT = 50
TIMELINE_PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
