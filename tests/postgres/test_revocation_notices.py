"""A process's revocation generation, moved by PostgreSQL's notices: once a
notice has reached the process, no cache may answer from before it again.

A real PostgreSQL and a real listening connection; the test asks for the
generation as fast as a busy process's calls would, from its own thread, so
the listening thread has to wait for the GIL between reading a notice and
counting it, as it does under load."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from passgate.postgres_cluster import PostgresDatabase
from passgate.store.db import open_database
from passgate.store.revocation_notices import CHANNEL, NoticeListener

NOTICES = 1000


@pytest.fixture
def busy_gil() -> Iterator[None]:
    """A thread that always wants the GIL, as a busy event loop does, and a
    switch interval that makes it change hands at nearly every step."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            pass

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        yield
    finally:
        stop.set()
        spinner.join()
        sys.setswitchinterval(previous)


@pytest.fixture
def listener(postgres_database: PostgresDatabase) -> Iterator[NoticeListener]:
    database = open_database(postgres_database.url)
    listening = NoticeListener.start(database)
    try:
        yield listening
    finally:
        listening.close()
        database.close()


def test_once_a_notice_has_arrived_the_generation_before_it_never_comes_back(
    listener: NoticeListener, postgres_database: PostgresDatabase, busy_gil: None
):
    returned_after_arrival = 0
    with psycopg.connect(postgres_database.url, autocommit=True) as sender:
        for _ in range(NOTICES):
            before = listener.generation()
            assert before is not None, "the listener is not listening"
            sender.execute("SELECT pg_notify(%s, 'test')", (CHANNEL,))
            arrived = False  # generation() said None: the notice is in
            deadline = time.monotonic() + 5
            while (now := listener.generation()) in (None, before):
                if now is None:
                    arrived = True
                elif arrived:  # the old generation again, after the notice was in
                    returned_after_arrival += 1
                    arrived = False
                assert time.monotonic() < deadline, "a notice was never counted"
    assert returned_after_arrival == 0, f"{returned_after_arrival} of {NOTICES} notices"


def test_a_process_holding_a_thousand_descriptors_still_hears_notices(
    postgres_database: PostgresDatabase,
):
    """A busy server holds many connections: the listening socket's descriptor is
    then above 1023, which select() refuses; the listener must still work."""
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    database = open_database(postgres_database.url)
    listening = NoticeListener.start(database)
    try:
        assert listening._socket is not None and listening._socket >= 1024
        before = listening.generation()
        assert before is not None, "the listener is not listening"
        with psycopg.connect(postgres_database.url, autocommit=True) as sender:
            sender.execute("SELECT pg_notify(%s, 'test')", (CHANNEL,))
        deadline = time.monotonic() + 10
        while listening.generation() in (None, before):
            assert time.monotonic() < deadline, "the notice was never counted"
    finally:
        listening.close()
        database.close()
        for fd in held:
            os.close(fd)
