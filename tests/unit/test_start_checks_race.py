"""The start-up checks of several processes at once (the workers of `serve
--workers N`, replicas sharing a volume) never refuse one another: a folder one
of them is about to create is found writable by all, and none is left behind."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from passgate.serving_checks import writable_folder

PROCESSES = 6
ROUNDS = 150


def _check_each(root: str, barrier: Any, results: Any) -> None:
    """Checks the round's folder the moment every process is ready to."""
    problems = []
    for round_ in range(ROUNDS):
        barrier.wait()
        if (problem := writable_folder(Path(root, str(round_), "mail"))) is not None:
            problems.append(problem)
    results.put(problems)


def test_checks_of_one_new_folder_at_once_all_pass(tmp_path: Path):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=_check_each, args=(str(tmp_path), barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    problems = [problem for _ in processes for problem in results.get(timeout=120)]
    for process in processes:
        process.join(timeout=30)
    assert problems == []
    assert list(tmp_path.rglob("*")) == []
