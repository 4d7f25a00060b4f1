"""The local store's tables (SQLAlchemy 2 ORM).

Remote objects keep the remote id as primary key (strings); local-only rows
(drafts, outbox, events) use integers. Secrets are never stored here.
The schema is owned by the Alembic migrations in `migrations/versions`;
`tests/store/test_migrations.py` checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Organization(Base):
    """The agency itself (parent_id None) and its client sub-organizations."""

    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(String, index=True)
    name: Mapped[str] = mapped_column(String)
    slug: Mapped[str] = mapped_column(String, default="")
    tier: Mapped[str] = mapped_column(String, default="free")
    status: Mapped[str] = mapped_column(String, default="active")
    contact_email: Mapped[str | None] = mapped_column(String)
    brand_color: Mapped[str | None] = mapped_column(String)
    logo_url: Mapped[str | None] = mapped_column(String)
    portal_url: Mapped[str | None] = mapped_column(String)
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: True while created offline and not yet confirmed by the platform.
    pending: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The platform's `updatedAt` of the version stored here (None: never synced);
    #: sync applies a remote row only when it is newer, so it never goes backwards.
    remote_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Project(Base):
    """A builder app: remote (remote_id set) or a local draft not yet on the platform."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_id: Mapped[str | None] = mapped_column(String, unique=True)
    org_id: Mapped[str | None] = mapped_column(String, index=True)
    name: Mapped[str] = mapped_column(String)
    slug: Mapped[str] = mapped_column(String, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String, default="draft", index=True)
    architecture: Mapped[str] = mapped_column(String, default="thin_client")
    categories: Mapped[list[Any]] = mapped_column(default=list)
    repo_url: Mapped[str | None] = mapped_column(String)
    production_url: Mapped[str | None] = mapped_column(String)
    deployment_status: Mapped[str | None] = mapped_column(String)
    source: Mapped[str] = mapped_column(String, default="platform")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The platform's `updatedAt` of the version stored here (None: never synced);
    #: sync applies a remote row only when it is newer, so it never goes backwards.
    remote_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Blob(Base):
    """File content, addressed by its SHA-256 so identical files are stored once."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ProjectFile(Base):
    __tablename__ = "project_files"
    __table_args__ = (UniqueConstraint("project_id", "path"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    origin: Mapped[str] = mapped_column(String, default="v0")  # v0 | scaffold | patch | user


class PublishConfig(Base):
    __tablename__ = "publish_configs"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_published_sha: Mapped[str | None] = mapped_column(String)
    last_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Deployment(Base):
    __tablename__ = "deployments"
    id: Mapped[str] = mapped_column(String, primary_key=True)  # Vercel deployment id
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    vercel_project_id: Mapped[str | None] = mapped_column(String)
    state: Mapped[str] = mapped_column(String, default="QUEUED")
    target: Mapped[str] = mapped_column(String, default="production")
    url: Mapped[str | None] = mapped_column(String)
    commit_sha: Mapped[str | None] = mapped_column(String)
    trigger: Mapped[str] = mapped_column(String, default="console")
    triggered_by: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class DeploymentEvent(Base):
    __tablename__ = "deployment_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deployment_id: Mapped[str] = mapped_column(
        ForeignKey("deployments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Domain(Base):
    __tablename__ = "domains"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    verified: Mapped[bool] = mapped_column(default=False)
    records: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Webhook(Base):
    __tablename__ = "webhooks"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String)
    events: Mapped[list[Any]] = mapped_column(default=list)


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    org_id: Mapped[str] = mapped_column(String, index=True)
    name: Mapped[str] = mapped_column(String)
    model: Mapped[str] = mapped_column(String, default="")
    status: Mapped[str] = mapped_column(String, default="active")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_last_message_at", "last_message_at"),)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    org_id: Mapped[str] = mapped_column(String, index=True)
    agent_id: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, index=True)
    customer_name: Mapped[str] = mapped_column(String, default="")
    customer_handle: Mapped[str] = mapped_column(String, default="")
    #: Name of the staff member who took it over, and their staff id.
    handled_by: Mapped[str | None] = mapped_column(String)
    handled_by_id: Mapped[str | None] = mapped_column(String)
    #: WhatsApp: after this instant only approved templates reach the customer.
    reply_window_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    handoff_requested: Mapped[bool] = mapped_column(default=False)
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_customer_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    credits_spent: Mapped[float] = mapped_column(Float, default=0.0)
    unread: Mapped[int] = mapped_column(Integer, default=0)
    preview: Mapped[str] = mapped_column(String, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The platform's `updatedAt` of the version stored here (None: never synced);
    #: sync applies a remote row only when it is newer, so it never goes backwards.
    remote_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """A conversation message; local ones (typed here) carry a delivery state."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session_created", "session_id", "created_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remote_id: Mapped[str | None] = mapped_column(String, unique=True)
    session_id: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)  # customer | agent | human | system
    author_name: Mapped[str] = mapped_column(String, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    credits: Mapped[float] = mapped_column(Float, default=0.0)
    tool_calls: Mapped[int] = mapped_column(Integer, default=0)
    template_name: Mapped[str | None] = mapped_column(String)
    #: For messages typed here: pending | sent | failed. Remote ones: "sent".
    delivery: Mapped[str] = mapped_column(String, default="sent")
    error: Mapped[str | None] = mapped_column(Text)


class CreditBalance(Base):
    """A snapshot of the balance as the platform reported it."""

    __tablename__ = "credit_balance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[str] = mapped_column(String, index=True)
    daily: Mapped[float] = mapped_column(Float, default=0.0)
    monthly: Mapped[float] = mapped_column(Float, default=0.0)
    purchased: Mapped[float] = mapped_column(Float, default=0.0)
    monthly_allocation: Mapped[float] = mapped_column(Float, default=0.0)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreditTransaction(Base):
    __tablename__ = "credit_transactions"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    org_id: Mapped[str] = mapped_column(String, index=True)
    agent_id: Mapped[str | None] = mapped_column(String)
    session_id: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    amount: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(String, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class OutboxEntry(Base):
    """A local write that must reach a remote system, delivered by the sync engine.

    Created in the same transaction as the local change it carries; delivered
    in `id` order per `target`; `done` only after the remote confirmed.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_target_status", "target", "status", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String)  # e.g. "platform", "conversation:<id>"
    kind: Mapped[str] = mapped_column(String)  # e.g. "message.post"
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    idempotency_key: Mapped[str] = mapped_column(String, unique=True)
    status: Mapped[str] = mapped_column(String, default="pending")  # pending|done|failed
    #: A row that must be `done` before this one is sent (e.g. the builder app's create
    #: before the publish that links the app to its repository).
    depends_on: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncCursor(Base):
    __tablename__ = "sync_cursors"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Non-secret settings (URLs, owners, UI state). Secrets go to the keyring."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class PipelineRun(Base):
    """A resumable multi-step job (deploy, provisioning) and its step log."""

    __tablename__ = "pipeline_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String)  # deploy | provision
    subject: Mapped[str] = mapped_column(String)  # project or org id
    status: Mapped[str] = mapped_column(String, default="running")
    step: Mapped[str] = mapped_column(String, default="")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    log: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RemoteResource(Base):
    """The ledger: one remote resource a pipeline run created (or is about to create).

    A row is written *before* the create call (status ``creating``, no remote
    id yet) and completed with the remote id as soon as the answer is in, so
    a kill at any instant still knows what the run may have made. Rollback
    and abandon remove a run's resources and only those; a removal the remote
    refused leaves the row ``left_behind`` with the reason, for the cleanup
    list. Never holds a secret: only ids, names and facts such as a key's
    scopes or the Vercel project a credential's secret was written into.
    """

    __tablename__ = "remote_resources"
    __table_args__ = (Index("ix_remote_resources_run", "run_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="SET NULL"))
    step: Mapped[str] = mapped_column(String)
    vendor: Mapped[str] = mapped_column(String)  # github | vercel | platform
    #: repository | vercel_project | env_var | deployment | webhook | api_key |
    #: oauth_client | builder_app | sub_org
    kind: Mapped[str] = mapped_column(String, index=True)
    remote_id: Mapped[str | None] = mapped_column(String)
    name: Mapped[str] = mapped_column(String)
    #: What it lives in: the Vercel project of an env var or deployment, the
    #: builder app of a key, webhook or OAuth client.
    parent_id: Mapped[str | None] = mapped_column(String, index=True)
    #: The organization to act in when removing it (``X-Organization-Id``).
    org_id: Mapped[str | None] = mapped_column(String)
    #: creating | created | removed | kept | left_behind
    status: Mapped[str] = mapped_column(String, default="creating", index=True)
    problem: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
