"""The node's one settings object, read from ``BORDERLINK_*`` environment variables.

No other module reads ``os.environ``: everything configurable is a field here.

There is no shared ``secret_key``: nothing would use it. Sessions, CSRF and API tokens are random
values (``secrets``) checked against what the database holds, so signing them adds nothing, and
what the node signs for partners is signed with its Ed25519 key (``node_key_file``). A secret
that protects nothing would still have to be generated, kept and rotated. The one secret a
setting may hold is the database password inside ``db``: production refuses a short one, and
refuses a session cookie sent without TLS (``cookie_secure``).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

# The shortest password production accepts in a setting (the database URL's).
MIN_SECRET_LENGTH = 16


def _comma_list(value: object) -> object:
    """``"10.0.0.1, 10.1.0.0/16"`` as a list (an environment variable holds one string)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Configuration of one BorderLink node."""

    model_config = SettingsConfigDict(env_prefix="BORDERLINK_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(
        default=Path("borderlink-data"), description="Where the node keeps files."
    )
    db: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the node's database; default: a SQLite file in data_dir.",
    )
    node_id: str = "node-local"
    node_name: str = "BorderLink node"
    reporting_currency: str = Field(default="USD", min_length=3, max_length=3)
    default_hs_edition: str = "HS2022"
    auto_migrate: bool = Field(
        default=True, description="Upgrade the schema when the node opens (zero set-up on SQLite)."
    )
    ingest_chunk_rows: int = Field(default=50_000, ge=100)
    risk_red_share: float = Field(
        default=0.05, ge=0, le=1, description="Share of each day's flow sent red."
    )
    risk_yellow_share: float = Field(
        default=0.10, ge=0, le=1, description="Share of each day's flow sent yellow."
    )
    risk_random_share: float = Field(
        default=0.10, ge=0, le=1, description="Share of inspection capacity drawn at random."
    )
    risk_blue_share: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of each day's flow the model sends blue (released now, audited "
        "after clearance): the riskiest of those it would release green. 0: only profiles do.",
    )
    risk_cutoff_seconds: float = Field(
        default=60.0,
        ge=0,
        description="How long single-declaration scoring reuses its red/yellow risk cut-offs "
        "before reading the model's recent scores again (0: every time).",
    )
    require_services: bool = Field(
        default=False,
        description="Tests needing PostgreSQL fail instead of skipping (set on CI).",
    )
    session_hours: float = Field(default=8.0, gt=0, description="Browser session lifetime.")
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only (set behind TLS)."
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins for one account before it is locked."
    )
    login_max_failures_per_source: int = Field(
        default=50, ge=1, description="Failed sign-ins from one address before it is locked."
    )
    login_lockout_minutes: float = Field(
        default=15.0, gt=0, description="How long failed sign-ins count (and a lock lasts)."
    )
    password_hashing: Literal["standard", "fast"] = Field(
        default="standard",
        description="argon2 cost: 'standard' (RFC 9106 low-memory); 'fast' only for tests.",
    )
    node_key_file: Path | None = Field(
        default=None,
        description="The node's Ed25519 signing key (PEM); default: node_key.pem in data_dir.",
    )
    exchange_clock_skew_s: int = Field(
        default=300, ge=1, description="How far a partner's clock may be off (signed requests)."
    )
    exchange_page_size: int = Field(default=500, ge=1, le=10_000)
    exchange_timeout_s: float = Field(default=10.0, gt=0)
    exchange_notify: bool = Field(
        default=True, description="Tell partners about new data at once (signed webhook)."
    )
    assistance_answer_days: int = Field(
        default=30,
        ge=1,
        le=366,
        description="Days a partner has to answer a routine assistance request when the "
        "agreement sets none (urgent: at most 7, immediate: at most 2).",
    )
    assistance_reminder_days: int = Field(
        default=5, ge=0, description="Days before an assistance deadline a request is due soon."
    )
    assistance_attachment_max_bytes: int = Field(
        default=2_000_000,
        ge=1,
        le=20_000_000,
        description="Largest file attached to an assistance request or reply.",
    )
    audit_seal_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often the server chains new audit entries into the node's verifiable "
        "log (0: never in the background; `borderlink audit seal` still does).",
    )
    spark_master: str = Field(
        default="local[2]",
        description="Where `--engine spark` runs: local[N] (N cores of this machine) or a "
        "cluster's master URL (spark://HOST:7077, yarn, k8s://...).",
    )
    spark_partitions: int = Field(
        default=8, ge=1, description="Partitions the Spark engine splits the days into."
    )
    spark_driver_memory: str = Field(
        default="2g", description="The Spark driver's memory (what comes back to the node)."
    )
    spark_jdbc_jar: Path = Field(
        default=Path("/usr/share/java/postgresql.jar"),
        description="The PostgreSQL JDBC driver Spark reads the node's declarations with "
        "(Debian: libpostgresql-jdbc-java).",
    )
    test_postgres_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    default_language: str = Field(
        default="en",
        pattern="^[a-z]{2,3}$",
        description="The pages' language when neither the person's choice nor their browser's "
        "names one the node has (en, fr, ar).",
    )
    test_nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        description="The NATS server (JetStream enabled) the streaming intake tests use.",
    )

    max_auth_body_bytes: int = Field(
        default=16 << 10,
        ge=1024,
        description="The largest request body sign-in and the other /auth routes read (bytes).",
    )
    max_body_bytes: int = Field(
        default=1 << 20,
        ge=1024,
        description="The largest request body of any other route, but submissions (bytes).",
    )
    max_submission_bytes: int = Field(
        default=64 << 20,
        ge=1024,
        description="The largest body of a declaration submission (bytes).",
    )
    max_photo_bytes: int = Field(
        default=10 << 20,
        ge=1024,
        description="The largest photo attached to an inspection report (bytes, each).",
    )
    max_photos_per_report: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="How many photos one inspection report may have.",
    )

    trusted_proxies: Annotated[list[str], NoDecode, BeforeValidator(_comma_list)] = Field(
        default_factory=list,
        description="Reverse proxies (addresses or CIDR networks, comma-separated) whose "
        "X-Forwarded-For names the client the sign-in throttle counts; from any other peer "
        "the header is ignored. Empty: the peer is the client.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {entry!r}") from None
        return value

    @model_validator(mode="after")
    def _refuse_test_settings_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.password_hashing == "fast":  # noqa: S105 - a cost name
            raise ValueError("BORDERLINK_PASSWORD_HASHING must be 'standard' in production")
        if not self.cookie_secure:
            raise ValueError("BORDERLINK_COOKIE_SECURE must be true in production (serve over TLS)")
        password = make_url(self.db).password if self.db else None
        if password is not None and len(str(password)) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the database password in BORDERLINK_DB is shorter than {MIN_SECRET_LENGTH} "
                "characters: use a generated one in production"
            )
        return self

    @property
    def node_key_path(self) -> Path:
        return self.node_key_file or self.data_dir / "node_key.pem"

    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{(self.data_dir / 'borderlink.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
