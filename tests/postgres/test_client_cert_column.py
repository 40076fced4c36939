"""Migration 7 adds the client certificate an API key is bound to, on every
engine: keys made before it stay live and unbound, and a bound key keeps its
subject exactly as written."""

from __future__ import annotations

import time

from engines import EngineDatabase

from passgate.clock import SystemClock
from passgate.identity.apikeys import ApiKeys
from passgate.identity.tokens import API_KEY_PREFIX, new_token, token_hash
from passgate.store import models, raw
from passgate.store.db import close_database, open_database
from passgate.store.migrations import MIGRATIONS, applied_version, migrate

SUBJECT = "CN=billing.internal,OU=Payments\\, Europe,O=Example"


def test_keys_made_before_the_migration_stay_live_and_unbound(database: EngineDatabase):
    db = open_database(database.url)
    try:
        db.create_tables([models.SchemaVersion])
        for version, step in MIGRATIONS[:6]:  # a database as the release before made it
            with db.atomic():
                step(db)
                models.SchemaVersion.create(version=version, applied_at=time.time())
        old_secret = new_token(API_KEY_PREFIX)
        raw.execute(
            db,
            "INSERT INTO api_keys (id, tenant_id, name, key_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            ("key_old", "default", "old", token_hash(old_secret), time.time()),
        )

        assert migrate(db) == [version for version, _ in MIGRATIONS[6:]]
        assert applied_version(db) == MIGRATIONS[-1][0]
        keys = ApiKeys(db, SystemClock())
        old = keys.live(old_secret)
        assert old is not None and old.client_cert_subject is None

        made, secret = keys.create("billing", client_cert_subject=SUBJECT)
        assert made.client_cert_subject == SUBJECT
        bound = ApiKeys(db, SystemClock()).live(secret)  # read back, not from a cache
        assert bound is not None and bound.client_cert_subject == SUBJECT
        listed = {key.name: key.client_cert_subject for key in keys.list()}
        assert listed == {"old": None, "billing": SUBJECT}
    finally:
        close_database(db)
