"""One settings file, read from the environment.

Production defaults are safe (DEBUG off, secure cookies, HSTS, CSP); a developer needs nothing set
for `make run`: SQLite under var/ and kombu's filesystem broker.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "oauth2_provider",
    "accounts",
    "community_services",
    "referrals",
    "casefinding",
    "coordinators",
    "gp_messages",
    "reports",
    "interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Any error under /fhir/R4 that a FHIR view did not answer itself → an OperationOutcome.
    "config.fhir_errors.FhirOperationOutcomeMiddleware",
    "config.hostile_input.RefuseNulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.DeniedAccessAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.MFAEnrolmentMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "config.unavailable.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "accounts.forms_rendering.NHSFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.current_membership",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has the web app, a worker and beat writing at once: wait for the lock instead
    # of failing, take it at the start of each transaction, and let readers work alongside.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A second connection for `manage.py migrate --database=migration`: the role that owns the
# tables. The app's own role (DATABASE_URL) may then only read and append to the audit trail
# (`manage.py create_database_roles`). Unset, one role does both, as in development.
DATABASE_MIGRATION_URL = env_str("DATABASE_MIGRATION_URL")
if DATABASE_MIGRATION_URL:
    DATABASES["migration"] = {
        **dj_database_url.parse(DATABASE_MIGRATION_URL, conn_max_age=0),
        "TEST": {"MIRROR": "default"},
    }
# A read replica for reads that tolerate a few seconds' lag (reports, exports, the HSDS and FHIR
# searches), through common.db_routing (`on_replica`, `replica_reads`); unset, they read the
# primary. Writes and anything that must read its own writes always go to the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        ),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["common.db_routing.ReplicaReadsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The audit trail is HMAC-chained with a key the database never holds, and checkpoints of its
# head are signed and appended to a file outside the database (`manage.py audit_checkpoint`).
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
AUDIT_HMAC_KEY_FILE = env_str("AUDIT_HMAC_KEY_FILE")
if not AUDIT_HMAC_KEY and AUDIT_HMAC_KEY_FILE:
    AUDIT_HMAC_KEY = Path(AUDIT_HMAC_KEY_FILE).read_text().strip()
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) must be set when DEBUG is off."
        )
    AUDIT_HMAC_KEY = "dev-only-audit-hmac-key-not-for-production-0123456789"  # noqa: S105
if not DEBUG and len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be at least 32 characters.")
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit-checkpoints.jsonl"))
)
AUDIT_CHECKPOINT_EVERY_SECONDS = env_int("AUDIT_CHECKPOINT_EVERY_SECONDS", 300)
# The trail is this many hash chains, each with its own lock, so audited writes by different
# people do not queue for one lock. Raise it freely; never lower it. When upgrading from the
# single chain, run with 1 until no process of the old release is left, then raise it.
AUDIT_CHAIN_STREAMS = env_int("AUDIT_CHAIN_STREAMS", 16)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
_django_validators = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _django_validators + "UserAttributeSimilarityValidator"},
    {"NAME": _django_validators + "MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": _django_validators + "CommonPasswordValidator"},
    {"NAME": _django_validators + "NumericPasswordValidator"},
    # Keyboard walks, dates, names and dictionary words with digits tacked on (zxcvbn's estimate).
    {
        "NAME": "accounts.password_validation.GuessablePasswordValidator",
        "OPTIONS": {"min_score": env_int("PASSWORD_MIN_ZXCVBN_SCORE", 3)},
    },
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email login, no self sign-up (accounts are made by admins), MFA, rate limits.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Our forms for allauth's pages: each error message names its field (accounts/allauth_forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.sign_in_forms.SignInForm",
    "reset_password": "accounts.allauth_forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "reauthenticate": "accounts.allauth_forms.ReauthenticateForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
# A password change keeps the person's own session and ends their others and their API tokens
# (accounts.receivers); allauth's option would log them out of this one too.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE_LIMIT", "10/m/ip,5/5m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.allauth_forms.AuthenticateForm",
    "reauthenticate": "accounts.allauth_forms.MFAReauthenticateForm",
    "activate_totp": "accounts.allauth_forms.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = "Social prescribing"
# Two-factor authentication is required for these roles (and superusers) before patient data.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "coordinator,manager,vetter")
MFA_REQUIRED_FOR_SUPERUSERS = env_bool("MFA_REQUIRED_FOR_SUPERUSERS", True)
MFA_REQUIRED_FOR_REFERRERS = env_bool("MFA_REQUIRED_FOR_REFERRERS", False)

LANGUAGE_CODE = "en-gb"
# Our wording over the libraries' (allauth's "Sign In" is our "Sign in"): locale/en_GB.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Redis for the broker and cache when REDIS_URL is set; otherwise no server is needed.
REDIS_URL = env_str("REDIS_URL")
# Neither may hold a request up: the cache falls back to memory when Redis is unreachable
# (config/cache.py), and a publish gives up within BROKER_CONNECT_TIMEOUT_SECONDS, leaving the
# work to the recover job (accounts.recover_reminders: every outbound email is a reminder).
CACHE_SOCKET_TIMEOUT_SECONDS = env_float("CACHE_SOCKET_TIMEOUT_SECONDS", 0.5)
CACHE_FALLBACK_SECONDS = env_int("CACHE_FALLBACK_SECONDS", 30)
BROKER_CONNECT_TIMEOUT_SECONDS = env_float("BROKER_CONNECT_TIMEOUT_SECONDS", 1.0)
# Above kombu's one-second BRPOP, so a worker's idle wait is not taken for a dead broker.
BROKER_SOCKET_TIMEOUT_SECONDS = env_float("BROKER_SOCKET_TIMEOUT_SECONDS", 3.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "FALLBACK_SECONDS": CACHE_FALLBACK_SECONDS,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": BROKER_CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": BROKER_SOCKET_TIMEOUT_SECONDS,
    }
    CELERY_RESULT_BACKEND: str | None = REDIS_URL
    # Publishing subscribes to the task's result: one attempt there too (Celery's default is
    # 20 retries a second apart, which held a request for 19 s with Redis down).
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT_SECONDS
    CELERY_REDIS_SOCKET_TIMEOUT = BROKER_SOCKET_TIMEOUT_SECONDS
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu keeps its broadcast exchanges here; its default is ./control in the checkout.
        "control_folder": str(_broker_dir / "control"),
    }
    CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT_SECONDS
# One attempt: a request does not wait for the broker to come back; the recover jobs resend.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Reminders: sweeps create Reminder rows under a unique key, one task per reminder
# delivers it. Countdowns stay far below the Redis visibility timeout (one hour).
REMINDER_QUEUE = env_str("REMINDER_QUEUE", "celery")
REMINDER_USER_CHANNELS = env_list("REMINDER_USER_CHANNELS", "in_app,email")
# A sweep creates its reminders this many targets (reviews, referrals…) per transaction.
REMINDER_SWEEP_CHUNK_SIZE = env_int("REMINDER_SWEEP_CHUNK_SIZE", 500)
# A sweep enqueues its email and text reminders in batches of this many per task.
REMINDER_DELIVERY_BATCH_SIZE = env_int("REMINDER_DELIVERY_BATCH_SIZE", 50)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5)
REMINDER_RETRY_BACKOFF_SECONDS = env_int("REMINDER_RETRY_BACKOFF_SECONDS", 30)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = env_int("REMINDER_RETRY_BACKOFF_MAX_SECONDS", 300)
REMINDER_TASK_SOFT_TIME_LIMIT = env_int("REMINDER_TASK_SOFT_TIME_LIMIT", 60)
REMINDER_TASK_TIME_LIMIT = env_int("REMINDER_TASK_TIME_LIMIT", 90)
# A claim older than this belongs to a dead worker (keep it above REMINDER_TASK_TIME_LIMIT).
REMINDER_CLAIM_TIMEOUT_SECONDS = env_int("REMINDER_CLAIM_TIMEOUT_SECONDS", 300)
# A pending reminder this long past its attempt time lost its task message: enqueue it again.
REMINDER_PENDING_GRACE_SECONDS = env_int("REMINDER_PENDING_GRACE_SECONDS", 600)
REMINDER_RECOVER_EVERY_SECONDS = env_int("REMINDER_RECOVER_EVERY_SECONDS", 120)
REFERRAL_TRIAGE_WORKING_DAYS = env_int("REFERRAL_TRIAGE_WORKING_DAYS", 2)
REFERRAL_TRIAGE_WORKING_DAYS_URGENT = env_int("REFERRAL_TRIAGE_WORKING_DAYS_URGENT", 1)
# The public self-referral page, protected without a third-party service: at most this many
# sends per client address per window, no sooner than this many seconds after the form was
# opened (a signed timestamp), a form older than the maximum age is sent again, and a body
# larger than the limit is refused.
SELF_REFERRAL_RATE_LIMIT = env_int("SELF_REFERRAL_RATE_LIMIT", 5)
SELF_REFERRAL_RATE_WINDOW_SECONDS = env_int("SELF_REFERRAL_RATE_WINDOW_SECONDS", 3600)
SELF_REFERRAL_MIN_FILL_SECONDS = env_int("SELF_REFERRAL_MIN_FILL_SECONDS", 5)
SELF_REFERRAL_FORM_MAX_AGE_SECONDS = env_int("SELF_REFERRAL_FORM_MAX_AGE_SECONDS", 86400)
SELF_REFERRAL_MAX_BODY_BYTES = env_int("SELF_REFERRAL_MAX_BODY_BYTES", 20000)
# Case-finding: an outreach entry ends as "no response" after this many recorded attempts;
# an uploaded list is at most this many rows and bytes.
OUTREACH_MAX_ATTEMPTS = env_int("OUTREACH_MAX_ATTEMPTS", 3)
CASE_FINDING_MAX_ROWS = env_int("CASE_FINDING_MAX_ROWS", 20000)
CASE_FINDING_MAX_UPLOAD_BYTES = env_int("CASE_FINDING_MAX_UPLOAD_BYTES", 5_000_000)
VETTING_EXPIRY_NOTICE_DAYS = env_int("VETTING_EXPIRY_NOTICE_DAYS", 30)
VETTING_EXPIRED_NOTICE_WINDOW_DAYS = env_int("VETTING_EXPIRED_NOTICE_WINDOW_DAYS", 7)
# Reviews: reminders before (hours) and overdue notices after (working days).
REVIEW_DUE_COORDINATOR_HOURS = env_int("REVIEW_DUE_COORDINATOR_HOURS", 24)
REVIEW_DUE_PATIENT_HOURS = env_int("REVIEW_DUE_PATIENT_HOURS", 48)
# A message back not filed by the practice after this many working days: shown and reminded once.
MESSAGE_BACK_FILING_WORKING_DAYS = env_int("MESSAGE_BACK_FILING_WORKING_DAYS", 5)
REVIEW_OVERDUE_WORKING_DAYS = env_int("REVIEW_OVERDUE_WORKING_DAYS", 2)
REVIEW_OVERDUE_ESCALATION_WORKING_DAYS = env_int("REVIEW_OVERDUE_ESCALATION_WORKING_DAYS", 5)
# Onward referrals still "sent": the provider is nudged, then it is marked "no response".
PROVIDER_NUDGE_AFTER_DAYS = env_int("PROVIDER_NUDGE_AFTER_DAYS", 7)
PROVIDER_NO_RESPONSE_AFTER_DAYS = env_int("PROVIDER_NO_RESPONSE_AFTER_DAYS", 14)
# Accepted but never marked attended: ask the patient this long after (and after "not yet").
ATTENDANCE_CHECK_AFTER_DAYS = env_int("ATTENDANCE_CHECK_AFTER_DAYS", 21)
ATTENDANCE_LINK_MAX_AGE_DAYS = env_int("ATTENDANCE_LINK_MAX_AGE_DAYS", 14)
# The address people reach the service at, for absolute links in emails and text messages.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
REMINDER_MESSAGE_ID_DOMAIN = env_str("REMINDER_MESSAGE_ID_DOMAIN", "social-prescribing.invalid")
# Text messages: GOV.UK Notify when its key is set; else the log in development (DEBUG) and
# nowhere in production (each fails with the reason; system check accounts.W002).
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY")
SMS_BACKEND = env_str(
    "SMS_BACKEND",
    "accounts.sms.NotifySMSBackend"
    if NOTIFY_API_KEY
    else ("accounts.sms.ConsoleSMSBackend" if DEBUG else "accounts.sms.UnconfiguredSMSBackend"),
)
NOTIFY_SMS_TEMPLATE_ID = env_str("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")

# Beat: each task (`<app>.<verb_object>`) under its name in dashes, and when it runs.
_beat = [
    ("community_services.sweep_vetting_expired", crontab(hour=0, minute=15)),
    ("community_services.sweep_vetting_expiring", crontab(day_of_week="mon", hour=7, minute=30)),
    ("referrals.sweep_referral_waiting", crontab(minute="*/15")),
    ("coordinators.sweep_review_due", crontab(minute="*/15")),
    ("coordinators.sweep_review_overdue", crontab(minute=5)),
    ("referrals.sweep_provider_not_answering", crontab(minute=20)),
    ("referrals.sweep_attendance_check", crontab(hour="10,14,18", minute=0)),
    ("referrals.sweep_onward_service_expired", crontab(minute=30)),
    ("accounts.recover_reminders", REMINDER_RECOVER_EVERY_SECONDS),
    ("accounts.write_audit_checkpoint", AUDIT_CHECKPOINT_EVERY_SECONDS),
    ("gp_messages.sweep_unfiled_messages", crontab(minute=40)),
    # Last month's figures, frozen, on the 1st at 02:30 (after the day's sweeps have settled).
    ("reports.build_monthly_snapshots", crontab(day_of_month=1, hour=2, minute=30)),
    # The day summaries the report pages read: rebuilt hourly (a change to an older referral
    # shows in its summarised day within the hour; today's referrals are always counted live).
    ("reports.refresh_report_summaries", crontab(minute=50)),
]
CELERY_BEAT_SCHEDULE: dict = {
    task.split(".")[1].replace("_", "-"): {"task": task, "schedule": when} for task, when in _beat
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat with no single point of failure: with Redis, celery-redbeat keeps the schedule in Redis
# behind a lock, so a second beat may run on another machine and takes over within the lock's
# timeout if the first dies; without Redis (`make run`), the file scheduler.
CELERY_BEAT_SCHEDULER = (
    "redbeat.RedBeatScheduler" if REDIS_URL else "celery.beat:PersistentScheduler"
)
CELERY_REDBEAT_REDIS_URL = REDIS_URL or None
CELERY_REDBEAT_KEY_PREFIX = env_str("BEAT_KEY_PREFIX", "redbeat")
CELERY_REDBEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT_SECONDS", 30)
# The lock is refreshed every loop: keep this well below the lock timeout.
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("BEAT_MAX_LOOP_INTERVAL_SECONDS", 5)
HEALTH_BROKER_TIMEOUT_SECONDS = 2
# A 503 (database or broker unreachable) tells clients when to try again.
SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = env_int("SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS", 30)

# Email: SMTP when EMAIL_HOST is set; else the console in development (DEBUG) and nowhere in
# production, with a warning (system check accounts.W001): never bodies in a production log.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else (
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "accounts.mail.UnconfiguredEmailBackend"
    ),
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@social-prescribing.invalid")
# How long a provider's signed response link works.
PROVIDER_LINK_MAX_AGE_DAYS = env_int("PROVIDER_LINK_MAX_AGE_DAYS", 14)

# Security: everything on by default, relaxed only when DEBUG is set for local work.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
# How many proxies of ours sit in front of the app, each appending to X-Forwarded-For: the
# client's address is the entry this many from the right (0: REMOTE_ADDR, no header believed).
# One setting for the audit trail, allauth's login rate limits and DRF's throttles; BEHIND_PROXY
# alone means one proxy.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_PROXY") else 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Sessions: logged off after 30 idle minutes (with a warning first) and after 12 hours whatever.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_IDLE_WARNING_SECONDS = env_int("SESSION_IDLE_WARNING_SECONDS", 2 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env_int("SESSION_ABSOLUTE_LIFETIME_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME_SECONDS
USERSESSIONS_TRACK_ACTIVITY = False
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts only from this origin or with the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.APITokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.hostile_input.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Abuse control, not a security boundary: scoping and authentication are.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "120/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# FHIR API (interop/): OAuth 2.0 client credentials by django-oauth-toolkit, secrets stored
# hashed; SMART system scopes offered per organisation kind (interop.scopes).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "interop.oauth.FhirOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "interop.oauth.FhirScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("FHIR_ACCESS_TOKEN_SECONDS", 3600),
    "PKCE_REQUIRED": True,
    # RFC 9700 (the OAuth security BCP) throughout: only client credentials are used here.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# FHIR Subscriptions: the sweep turning status changes into notifications runs this often; a
# notification is tried this many times, waiting BACKOFF, 2×, 4×… seconds between tries.
FHIR_EVENTS_EVERY_SECONDS = env_int("FHIR_EVENTS_EVERY_SECONDS", 2)
FHIR_NOTIFICATION_MAX_ATTEMPTS = env_int("FHIR_NOTIFICATION_MAX_ATTEMPTS", 6)
FHIR_NOTIFICATION_BACKOFF_SECONDS = env_int("FHIR_NOTIFICATION_BACKOFF_SECONDS", 5)
FHIR_NOTIFICATION_TIMEOUT_SECONDS = env_int("FHIR_NOTIFICATION_TIMEOUT_SECONDS", 10)
CELERY_BEAT_SCHEDULE["fhir-record-task-events"] = {
    "task": "interop.record_task_events",
    "schedule": FHIR_EVENTS_EVERY_SECONDS,
}
# A FHIR search page holds at most this many resources (the client's _count is capped to it).
FHIR_PAGE_SIZE = env_int("FHIR_PAGE_SIZE", 50)
# A JSON body nested deeper than this is a 400 (the deepest real body, a review, nests 4 deep).
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 20)
# API tokens (django-rest-knox: only a hash is stored). Issued at POST /api/v1/auth/token/ from a
# signed-in session; they expire, and lapse when unused for as long as an idle session would.
API_TOKEN_TTL_SECONDS = env_int("API_TOKEN_TTL_SECONDS", SESSION_ABSOLUTE_LIFETIME_SECONDS)
API_TOKEN_IDLE_TIMEOUT_SECONDS = env_int(
    "API_TOKEN_IDLE_TIMEOUT_SECONDS", SESSION_IDLE_TIMEOUT_SECONDS
)
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=API_TOKEN_TTL_SECONDS),
    "AUTH_HEADER_PREFIX": "Token",
}
# The OpenAPI schema and Swagger UI need a signed-in user unless this opens them to anyone.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Social prescribing referral service API",
    "DESCRIPTION": (
        "Referrals from primary care, coordinator casework and the community services directory."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"{app}.{name}"
        for app, names in {
            "referrals.models": "ContactMethod DeclineReason ReferralStatus ServiceReferralStatus "
            "ServiceDeclineReason ClosureOutcome ContactOutcome",
            "coordinators.models": "GoalStatus ReviewStatus PlanActionStatus ReviewMode",
            "community_services.need_domains": "NeedDomain",
        }.items()
        for name in names.split()
    },
}

# Which code built a monthly snapshot (the deployment sets it, e.g. to the git commit).
CODE_VERSION = env_str("CODE_VERSION", "development")
# Reports: a count from 1 to this − 1 is shown to commissioners as "<N" (pages, CSV, charts).
REPORTS_SMALL_NUMBER_THRESHOLD = env_int("REPORTS_SMALL_NUMBER_THRESHOLD", 5)
# The evaluation extract's pseudonym is HMAC-SHA256(key, NHS number): the key lives here, never
# in the database, so only a trusted third party given the key can link the extract to hospital
# activity. Unset in production: the extract is refused until one is configured. Development
# gets a fixed key so `make run` needs no setup (its pseudonyms link to nothing real).
EVALUATION_PSEUDONYM_KEY = env_str("EVALUATION_PSEUDONYM_KEY")
EVALUATION_PSEUDONYM_KEY_FILE = env_str("EVALUATION_PSEUDONYM_KEY_FILE")
if not EVALUATION_PSEUDONYM_KEY and EVALUATION_PSEUDONYM_KEY_FILE:
    EVALUATION_PSEUDONYM_KEY = Path(EVALUATION_PSEUDONYM_KEY_FILE).read_text().strip()
if not EVALUATION_PSEUDONYM_KEY and DEBUG:
    EVALUATION_PSEUDONYM_KEY = "dev-only-pseudonym-key-links-to-nothing-0123456789"  # noqa: S105

# Wellbeing instruments in use (SWEMWBS is licensed: drop it here if you hold no licence).
WELLBEING_INSTRUMENTS = env_list("WELLBEING_INSTRUMENTS", "ons4,swemwbs")
# Data protection: ended cases (closed or declined) are anonymised this long after they ended
# by `manage.py anonymise_closed_cases` (run it daily from cron); 8 years by default.
RETENTION_CLOSED_CASE_DAYS = env_int("RETENTION_CLOSED_CASE_DAYS", 8 * 365 + 2)
# The next follow-up review defaults to this many days after the one just recorded.
REVIEW_INTERVAL_DAYS = env_int("REVIEW_INTERVAL_DAYS", 42)

# --- Observability. Logs: one JSON object per line in production (LOG_FORMAT=json),
# with the request id and user id added to every record and one `accounts.request` line per
# request (route, status, timings); never a URL's query string, a body or a patient detail.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "accounts.request_log.RequestLogMiddleware",
)
# Prometheus metrics at /metrics (django-prometheus and our own gauges, config/metrics.py), off
# unless METRICS_ENABLED; the scraper sends `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_TOKEN = env_str("METRICS_TOKEN")
if METRICS_ENABLED:
    if len(METRICS_TOKEN) < 32:
        raise ImproperlyConfigured("METRICS_TOKEN (32+ characters) must be set with metrics on.")
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
# Error reports to Sentry (or a compatible service) only when SENTRY_DSN is set, scrubbed of
# patient data before they leave (common.error_reporting).
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from common.error_reporting import start_error_reporting

    start_error_reporting(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Provider and attendance link tokens are redacted from every log line (see
# referrals.link_log_redaction; gunicorn's access log gets the filter in referrals.apps).
# django.server is configured here, as Django's default, only to add the filter.
# The console's formatters scrub patient details from the message, the traceback and every
# extra field (common.log_formatters, by the rule in common.patient_data_scrubbing); Celery's
# worker and beat log through this configuration too (config.celery).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_link_tokens": {"()": "referrals.link_log_redaction.RedactLinkTokens"},
        "request_context": {"()": "accounts.request_log.RequestContextLogFilter"},
    },
    "formatters": {
        "json": {
            "()": "common.log_formatters.ScrubbedJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"()": "common.log_formatters.ScrubbedTextFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_link_tokens", "request_context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "level": "INFO",
        },
    },
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["redact_link_tokens"],
        },
        "django.request": {"filters": ["redact_link_tokens"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
