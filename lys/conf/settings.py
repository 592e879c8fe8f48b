"""The one validated model every setting goes through.

Field names are the lower-case form of the Django-style constants a settings module
holds (``INSTALLED_APPS`` -> ``installed_apps``) and of the ``LYS_`` environment
variables that override them.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from lys.conf.environments import ENVIRONMENT_DEFAULTS, Environment

#: The marker every development default secret carries; ``prod`` refuses it.
INSECURE_SECRET_MARKER = "insecure-dev-only"
MIN_SECRET_KEY_BYTES = 32

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: Access-token algorithms signed with ``SIGNING_KEY`` and published at
#: ``/.well-known/jwks.json`` (the HS* ones sign with ``SECRET_KEY``).
ASYMMETRIC_JWT_ALGORITHMS = ("EdDSA", "RS256")


class TrustedService(BaseModel):
    """Another service whose service tokens this one accepts: its public key, or the
    URL of the JWKS it publishes (keys picked by ``kid``, refetched on rotation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public_key: str | None = None
    jwks_url: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> TrustedService:
        if (self.public_key is None) == (self.jwks_url is None):
            raise ValueError("give exactly one of public_key and jwks_url")
        return self


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    env: Environment = Environment.DEV
    installed_apps: list[str] = Field(default_factory=list)
    secret_key: SecretStr | None = None

    # Derived from ``env`` unless set explicitly.
    debug: bool | None = None
    graphiql: bool | None = None
    introspection: bool | None = None
    log_level: LogLevel | None = None

    database_url: str = "sqlite:///db.sqlite3"
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    database_max_overflow: Annotated[int, Field(ge=0)] = 30
    database_pool_timeout: Annotated[float, Field(gt=0)] = 30.0
    database_pool_pre_ping: bool = True
    #: Pre-ping only connections idle this long: a busy pool pays no round trip.
    database_pool_ping_idle: Annotated[float, Field(ge=0)] = 10.0
    database_pool_recycle: int = 3600
    database_echo: bool = False

    graphql_path: str = "/graphql"
    graphql_query_cache_size: Annotated[int, Field(ge=0)] = 1024
    # Limits checked before any resolver runs (see docs/graphql.md).
    graphql_max_depth: Annotated[int, Field(ge=1)] = 10
    graphql_max_aliases: Annotated[int, Field(ge=0)] = 15
    graphql_max_directives: Annotated[int, Field(ge=0)] = 50
    graphql_max_tokens: Annotated[int, Field(ge=10)] = 2000
    graphql_max_cost: Annotated[int, Field(ge=1)] = 5000
    graphql_default_field_cost: Annotated[int, Field(ge=1)] = 1
    graphql_max_mutations: Annotated[int, Field(ge=1)] = 4
    graphql_suggestions: bool | None = None
    page_size_default: Annotated[int, Field(ge=1)] = 100
    page_size_max: Annotated[int, Field(ge=1)] = 100
    request_max_body_size: Annotated[int, Field(gt=0)] = 1_000_000
    http_thread_pool_size: Annotated[int, Field(ge=1)] = 40
    #: Where an operation runs: ``inline`` on the event loop thread (one at a time per
    #: process, no thread hop), ``threads`` in a pool of ``HTTP_THREAD_POOL_SIZE``.
    http_execution: Literal["inline", "threads"] = "inline"
    migrations_dir: str | None = None

    # Authentication (the user_auth app) -------------------------------------------
    access_token_lifetime: Annotated[int, Field(ge=30, le=3600)] = 300
    refresh_token_lifetime: Annotated[int, Field(ge=300)] = 30 * 24 * 3600
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "EdDSA", "RS256"] = "HS256"
    jwt_issuer: str = "lys"
    jwt_audience: str = "lys-api"
    cookie_secure: bool = True
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    cookie_domain: str | None = None
    xsrf_check: bool = True
    login_lockout_durations: dict[int, int] = Field(default_factory=lambda: {3: 60, 5: 900})
    password_reset_per_hour: Annotated[int, Field(ge=1)] = 3
    # argon2id cost (argon2-cffi's RFC 9106 low-memory profile by default).
    argon2_time_cost: Annotated[int, Field(ge=1)] = 3
    argon2_memory_cost: Annotated[int, Field(ge=8)] = 65536
    argon2_parallelism: Annotated[int, Field(ge=1)] = 4
    super_user_email: str | None = None
    front_url: str = "http://localhost:3000"
    redis_url: str | None = None

    # Permissions ----------------------------------------------------------------------
    #: Dotted paths of the permission classes, in order; unset: the framework's, then
    #: those the installed apps add (see docs/permissions.md).
    permission_classes: list[str] | None = None
    #: This deployment's name in the ``webservice`` table (``app_name``).
    service_name: str = "api"
    #: Prefix of every Redis key the framework writes (several projects can share one).
    redis_key_prefix: str = "lys"
    #: How stale a process's copy of the run-time webservice switches may be (seconds).
    webservice_switch_refresh: Annotated[float, Field(ge=0, le=1)] = 0.5

    # Services (see docs/services.md) -------------------------------------------------
    #: This service's private key (PEM or JWK; Ed25519 for EdDSA, RSA for RS256): signs
    #: its service tokens and, with an asymmetric JWT_ALGORITHM, user access tokens.
    signing_key: SecretStr | None = None
    #: The file holding SIGNING_KEY instead (read once at start).
    signing_key_file: str | None = None
    #: Keys signed with before a rotation: still published and accepted (public parts).
    signing_keys_previous: list[SecretStr] = Field(default_factory=list)
    #: Lifetime of the service tokens this one signs, and the longest it accepts (s).
    service_token_lifetime: Annotated[int, Field(ge=5, le=300)] = 60
    #: ``name -> {"public_key": ...} or {"jwks_url": ...}``: whose service tokens count.
    trusted_services: dict[str, TrustedService] = Field(default_factory=dict)
    #: The auth service's GraphQL URL: this service registers its webservices there at
    #: start and reads what roles open from it.
    auth_service_url: str | None = None
    #: The auth service's SERVICE_NAME (the audience of the tokens sent to it).
    auth_service_name: str = "auth"
    #: Where the auth service publishes the keys of user access tokens (for a service
    #: without lys.apps.user_auth).
    auth_jwks_url: str | None = None
    #: How long fetched JWKS are trusted before being fetched again (s).
    jwks_cache_seconds: Annotated[int, Field(ge=0, le=86400)] = 300
    #: Calls to other services: seconds per attempt, and retries of queries.
    service_client_timeout: Annotated[float, Field(gt=0)] = 5.0
    service_client_retries: Annotated[int, Field(ge=0, le=10)] = 2

    # Jobs (see docs/jobs.md) -----------------------------------------------------------
    #: ``auto``: Redis when ``REDIS_URL`` is set, else in-process after commit in ``dev``
    #: (elsewhere jobs wait in the outbox for a worker); ``stub`` is for tests.
    job_broker: Literal["auto", "redis", "eager", "stub"] = "auto"
    job_max_retries: Annotated[int, Field(ge=0)] = 20
    #: Backoff between retries, in milliseconds (doubling from min up to max).
    job_min_backoff: Annotated[int, Field(ge=1)] = 15_000
    job_max_backoff: Annotated[int, Field(ge=1)] = 3_600_000
    #: A job running longer is interrupted, rolled back and retried (milliseconds).
    job_time_limit: Annotated[int, Field(ge=100)] = 600_000
    #: A worker silent this long is dead: its unacknowledged jobs go back to the queue.
    job_heartbeat_timeout: Annotated[int, Field(ge=1000)] = 60_000
    #: Broker calls per million that also requeue dead workers' jobs.
    job_maintenance_chance: Annotated[int, Field(ge=1, le=1_000_000)] = 1000
    #: An outbox row the committing process could not push is pushed by a worker after
    #: this many seconds; workers look for such rows every ``JOB_OUTBOX_FLUSH_INTERVAL``.
    job_outbox_retry_delay: Annotated[float, Field(ge=0)] = 30.0
    job_outbox_flush_interval: Annotated[float, Field(gt=0)] = 10.0
    #: How long a stopping worker lets running jobs finish (seconds).
    job_shutdown_timeout: Annotated[float, Field(ge=0)] = 30.0

    # Email ------------------------------------------------------------------------------
    #: Unset: emails are written to the log instead of sent (and stay WAITING).
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 587
    #: Upgrade the connection with STARTTLS; unset: on unless ``SMTP_SSL`` (implicit TLS).
    smtp_starttls: bool | None = None
    smtp_ssl: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: Annotated[float, Field(gt=0)] = 10.0
    email_sender: str = "no-reply@localhost"
    #: Folders searched for ``emails/<lang>/<type>.html`` before the apps' ``templates/``.
    email_template_dirs: list[str] = Field(default_factory=list)

    # HTTP ---------------------------------------------------------------------------
    cors_allowed_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: Annotated[int, Field(ge=0)] = 60
    rate_limit_service_per_minute: Annotated[int, Field(ge=0)] = 600
    trusted_proxies: list[str] = Field(default_factory=list)

    server_host: str = "127.0.0.1"
    server_port: Annotated[int, Field(ge=0, le=65535)] = 8000

    @field_validator("installed_apps")
    @classmethod
    def _no_duplicate_apps(cls, apps: list[str]) -> list[str]:
        seen: set[str] = set()
        for app in apps:
            if app in seen:
                raise ValueError(f"app {app!r} is listed twice")
            seen.add(app)
        return apps

    @field_validator("graphql_path")
    @classmethod
    def _absolute_path(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError("must start with '/'")
        return path.rstrip("/") or "/"

    @field_validator("trusted_services", mode="before")
    @classmethod
    def _trusted_services_from_json(cls, value: Any) -> Any:
        # From the environment the mapping arrives as JSON text.
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f"invalid JSON object: {exc}") from None
        return value

    @model_validator(mode="after")
    def _check_services(self) -> Settings:
        if self.signing_key is not None and self.signing_key_file:
            raise ValueError("SIGNING_KEY and SIGNING_KEY_FILE exclude each other; set one")
        return self

    @property
    def signs_tokens(self) -> bool:
        """Whether this service signs with SIGNING_KEY: asymmetric access tokens, or
        calls to the auth service."""
        return self.jwt_algorithm in ASYMMETRIC_JWT_ALGORITHMS or bool(self.auth_service_url)

    @property
    def has_signing_key(self) -> bool:
        return self.signing_key is not None or bool(self.signing_key_file)

    @model_validator(mode="after")
    def _apply_environment(self) -> Settings:
        defaults = ENVIRONMENT_DEFAULTS[self.env]
        for name in ("debug", "graphiql", "introspection", "log_level"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, getattr(defaults, name))
        if self.graphql_suggestions is None:
            # "Did you mean" leaks the schema exactly where introspection would.
            object.__setattr__(self, "graphql_suggestions", self.introspection)
        if self.page_size_default > self.page_size_max:
            raise ValueError("PAGE_SIZE_DEFAULT must not exceed PAGE_SIZE_MAX")
        if self.job_min_backoff > self.job_max_backoff:
            raise ValueError("JOB_MIN_BACKOFF must not exceed JOB_MAX_BACKOFF")
        if self.smtp_starttls is None:
            object.__setattr__(self, "smtp_starttls", not self.smtp_ssl)
        elif self.smtp_ssl and self.smtp_starttls:
            raise ValueError("SMTP_SSL and SMTP_STARTTLS exclude each other; set one")
        if self.job_broker == "redis" and not self.redis_url:
            raise ValueError("JOB_BROKER 'redis' needs REDIS_URL")
        return self

    @property
    def is_debug(self) -> bool:
        return bool(self.debug)

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe to serve in ``prod``; empty when fine."""
        if self.env is not Environment.PROD:
            return []
        problems = []
        secret = self.secret_key.get_secret_value() if self.secret_key else ""
        if not secret:
            problems.append("SECRET_KEY is not set (set LYS_SECRET_KEY)")
        elif INSECURE_SECRET_MARKER in secret:
            problems.append("SECRET_KEY is the development default")
        elif len(secret.encode()) < MIN_SECRET_KEY_BYTES:
            problems.append(f"SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes")
        if self.debug:
            problems.append("DEBUG is on")
        if self.graphiql:
            problems.append("GRAPHIQL is on")
        if self.signs_tokens and not self.has_signing_key:
            problems.append(
                "SIGNING_KEY is not set (needed for an asymmetric JWT_ALGORITHM and for "
                "AUTH_SERVICE_URL; set LYS_SIGNING_KEY or LYS_SIGNING_KEY_FILE)"
            )
        return problems
