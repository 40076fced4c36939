"""The tables: tenants, API keys, users and their identifiers, sessions, reset
tokens, the mail outbox. Secrets appear only as SHA-256 hashes or sealed.

Times are seconds since the epoch (REAL on SQLite, DOUBLE PRECISION on
PostgreSQL: exact to the microsecond), compared across processes.
"""

from __future__ import annotations

from typing import ClassVar

import peewee

database_proxy = peewee.DatabaseProxy()


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy


class SchemaVersion(BaseModel):
    """One row per applied migration."""

    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.FloatField()

    class Meta:
        table_name = "schema_versions"


class Tenant(BaseModel):
    """The seeds' "portal": API keys and users belong to one."""

    id = peewee.CharField(primary_key=True, max_length=64)
    name = peewee.CharField(max_length=128)
    # JSON list of reset_url values callers may ask for; others fall back to the default.
    reset_url_allowlist = peewee.TextField(default="[]")
    created_at = peewee.FloatField()

    class Meta:
        table_name = "tenants"


class ApiKey(BaseModel):
    id = peewee.CharField(primary_key=True, max_length=32)  # public id, for list/revoke
    tenant = peewee.ForeignKeyField(Tenant, backref="api_keys", on_delete="CASCADE")
    name = peewee.CharField(max_length=128)
    key_hash = peewee.CharField(max_length=64, unique=True)
    # JSON list of RPC names the key may call; NULL: every RPC.
    scopes = peewee.TextField(null=True)
    # Per-key budget such as "100/1m"; NULL: the server's --key-rate.
    rate = peewee.CharField(max_length=32, null=True)
    created_at = peewee.FloatField()
    revoked_at = peewee.FloatField(null=True)
    # Migration 7 adds `client_cert_subject` (TEXT NULL): the client certificate
    # the key may be used with. Not a field here, since migration 1 builds the
    # table from this model and must not change.

    class Meta:
        table_name = "api_keys"


class User(BaseModel):
    id = peewee.CharField(primary_key=True, max_length=36)
    tenant = peewee.ForeignKeyField(Tenant, backref="users", on_delete="CASCADE")
    email = peewee.CharField(max_length=254)  # as given
    email_key = peewee.CharField(max_length=254)  # case-folded, for look-up
    username = peewee.CharField(max_length=64, null=True)
    username_key = peewee.CharField(max_length=64, null=True)
    password_hash = peewee.CharField(max_length=128)
    disabled = peewee.BooleanField(default=False)
    created_at = peewee.FloatField()
    password_changed_at = peewee.FloatField()

    class Meta:
        table_name = "users"
        indexes: ClassVar = (
            (("tenant", "email_key"), True),
            (("tenant", "username_key"), True),
        )


class SearchKey(BaseModel):
    """Any other unique field a user can sign in with (the seeds' SearchKeyData)."""

    user = peewee.ForeignKeyField(User, backref="search_keys", on_delete="CASCADE")
    tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
    schema_name = peewee.CharField(max_length=64)
    value = peewee.CharField(max_length=256)

    class Meta:
        table_name = "search_keys"
        indexes: ClassVar = ((("tenant", "schema_name", "value"), True),)


class Session(BaseModel):
    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
    created_at = peewee.FloatField()
    expires_at = peewee.FloatField()
    revoked_at = peewee.FloatField(null=True, index=True)
    # Migration 8 adds `public_id` (unique, `ses_…`: what users and admins name
    # a session by), `peer` (the address the sign-in came from) and
    # `last_used_at`; not fields here, since migration 1 builds the table from
    # this model and must not change.

    class Meta:
        table_name = "sessions"


class ResetToken(BaseModel):
    token_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="reset_tokens", on_delete="CASCADE")
    created_at = peewee.FloatField()
    expires_at = peewee.FloatField()
    # Set when the token was used, replaced, or killed by a password change.
    ended_at = peewee.FloatField(null=True, index=True)

    class Meta:
        table_name = "reset_tokens"


class OutboxMessage(BaseModel):
    """An e-mail waiting for the delivery worker; its content is sealed and
    erased once sent."""

    tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    payload = peewee.BlobField(null=True)
    created_at = peewee.FloatField()
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.FloatField(index=True)
    claimed_until = peewee.FloatField(null=True)
    sent_at = peewee.FloatField(null=True, index=True)
    failed_at = peewee.FloatField(null=True)
    last_error = peewee.CharField(max_length=256, null=True)

    class Meta:
        table_name = "outbox"


class ResetRequest(BaseModel):
    """Every RequestReset the mail worker resolved, known user or not; the
    per-account e-mail budget counts those that queued an e-mail."""

    tenant = peewee.ForeignKeyField(Tenant, on_delete="CASCADE")
    subject = peewee.CharField(max_length=64)  # SHA-256 of the account or the typed identifier
    created_at = peewee.FloatField()
    queued = peewee.BooleanField()

    class Meta:
        table_name = "reset_requests"
        indexes: ClassVar = ((("subject", "created_at"), False),)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Tenant,
    ApiKey,
    User,
    SearchKey,
    Session,
    ResetToken,
    OutboxMessage,
    ResetRequest,
)
