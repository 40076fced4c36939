"""The benchmark's smoke runs (`python -m bench --quick`, `--postgresql`, `--cluster`):
each runs end to end and writes every figure it promises. Speed is not asserted:
benchmarks are not tests.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RATIOS = {
    "signin_vs_bcrypt_c2",
    "signin_vs_bcrypt_c8",
    "signin_vs_bcrypt_c64",
    "signin_errors",
    "signin_p99_over_p50_saturated",
    "signin_p50_c1_vs_bcrypt",
    "signin_p99_at_80pct_vs_bcrypt",
    "verify_vs_echo",
    "refused_vs_echo",
    "verify_p99_busy_vs_idle",
    "large_vs_small_signin",
    "large_vs_small_verify",
    "rss_last_vs_first",
    "workers_scaling",
    "metrics_on_vs_off",
    "tracing_on_vs_off",
}
NO_GOAL = {"tracing_on_vs_off"}  # reported beside the others, judged by no goal
POSTGRESQL_RATIOS = {
    "signin_vs_bcrypt_c2",
    "signin_vs_bcrypt_c8",
    "signin_vs_bcrypt_c64",
    "verify_postgresql_vs_sqlite",
    "large_vs_small_signin",
}

CLUSTER_RATIOS = {
    "signin_vs_bcrypt_c2",
    "signin_vs_bcrypt_c8",
    "signin_vs_bcrypt_c64",
    "verify_replicas_vs_workers",
    "budget_check_redis_vs_sqlite",
}


def _serve_has_workers() -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "passgate.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return "--workers" in result.stdout.split()


def bench_module(*args: str) -> str:
    """Runs `python -m <args>` from the project's root; its stdout, once it succeeded."""
    run = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return run.stdout


@pytest.mark.slow
def test_quick_bench_writes_every_ratio(tmp_path: Path) -> None:
    out = tmp_path / "out"
    bench_module("bench", "--quick", "--out", str(out))

    results = json.loads((out / "results.json").read_text())
    assert results["mode"] == "quick"
    ratios = {r["id"]: r for r in results["ratios"]}
    assert set(ratios) == RATIOS
    workers = _serve_has_workers()
    for name, ratio in ratios.items():
        if name == "workers_scaling" and not workers:
            assert ratio["value"] is None
            assert "--workers" in ratio["note"]
            continue
        value = ratio["value"]
        assert isinstance(value, int | float) and math.isfinite(value), (name, value)
        assert isinstance(ratio["errors"], int), name
        if name in NO_GOAL:
            assert ratio["goal"] is None and ratio["met"] is None, name
            continue
        assert isinstance(ratio["met"], bool), name
        assert ratio["goal"]["op"] in (">=", "<=", "=="), name
    assert ratios["metrics_on_vs_off"]["goal"] == {"op": ">=", "value": 0.97}

    # Failed calls are the bench's findings (each ratio counts its own), not a
    # test failure; but the calls that carry a wrong key must never pass.
    for name, run_result in results["runs"].items():
        assert run_result["count"] > 0, name
        assert isinstance(run_result["steal_ms"], float), name  # the hypervisor's share
        if name.startswith("refused"):
            assert "OK" not in run_result["codes"], (name, run_result["codes"])
    # every bcrypt implementation on the machine is measured and checked against pyca's
    # answers; the fastest that agrees is the floor, named in the report
    measured = {m["implementation"] for m in results["bcrypt"]["measurements"]}
    assert measured == {"pyca/bcrypt", "libxcrypt", "passgate-kernel"}
    assert all(m["agrees"] for m in results["bcrypt"]["measurements"])
    fastest = max(results["bcrypt"]["measurements"], key=lambda m: m["throughput_per_second"])
    assert results["bcrypt"]["implementation"] == fastest["implementation"]
    assert (
        f"that gives pyca's answers: {fastest['implementation']})"
        in (out / "results.md").read_text()
    )
    # the sides took turns, each round reversing the order, and each watched its calls:
    # the metrics server counted every call it answered, the receiver got a span for each
    watched = results["observability"]
    sides = {side: results["runs"][name] for side, name in watched["sides"].items()}
    assert set(sides) == {"plain", "metrics", "traced"}
    for run_result in sides.values():
        assert len(run_result["rounds"]) == watched["rounds"] >= 2
    # (every round of the quick run makes the same number of calls)
    assert watched["metrics_counted_calls"] >= sides["metrics"]["count"] * watched["rounds"]
    assert watched["spans_exported"] >= sides["traced"]["count"] * watched["rounds"]
    # each SignIn level is judged against the fastest floor that many calls in flight can
    # reach: on several cores, 2 in flight give each core one hash at a time, not four
    machine = results["machine"]
    levels = results["bcrypt"]["at_concurrency"]
    assert set(levels) == {str(c) for c in results["plan"]["signin_levels"]}
    if machine["cores"] >= 2:
        assert levels["2"]["lanes"] == 1, levels
    assert levels["64"]["throughput_per_second"] == fastest["throughput_per_second"]
    for c in (2, 8, 64):
        floor = levels[str(c)]
        assert f"{floor['throughput_per_second']:.2f}/s" in ratios[f"signin_vs_bcrypt_c{c}"]["note"]
    assert machine["cores"] >= 1 and machine["cpu_model"]
    assert results["memory"]["rss_bytes_after_last"] > 0

    table = (out / "results.md").read_text()
    assert "| metric | measured | goal | met? |" in table
    assert "| generator CPU (cores) | steal ms |" in table
    for ratio in results["ratios"]:
        assert ratio["metric"] in table
    # matplotlib comes with the dev extra: the plot is always drawn here
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_quick_bench_over_postgresql_writes_its_ratios_beside_the_sqlite_report(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    bench_module("bench", "--quick", "--postgresql", "--out", str(out))

    assert not (out / "results.json").exists()  # the SQLite run's report is its own
    results = json.loads((out / "results-postgresql.json").read_text())
    ratios = {r["id"]: r for r in results["ratios"]}
    assert set(ratios) == POSTGRESQL_RATIOS
    for name, ratio in ratios.items():
        assert isinstance(ratio["value"], float) and math.isfinite(ratio["value"]), name
        assert isinstance(ratio["met"], bool), name
    assert ratios["signin_vs_bcrypt_c8"]["goal"] == {"op": ">=", "value": 0.95}
    # failed calls are findings (each ratio counts its own), not a test failure
    for name, run_result in results["runs"].items():
        assert run_result["count"] > 0, name
    assert {"sqlite-verify-c8", "verify-c8", "large-signin-c8"} <= set(results["runs"])
    # the cluster kept durability on, and served every user of the SQLite files
    pg = results["postgresql"]
    assert "fsync=on" in pg["settings"] and "synchronous_commit=on" in pg["settings"]
    for label, copied in pg["copies"].items():
        assert copied["users"] == results["datasets"][label]["users"], label
    table = (out / "results-postgresql.md").read_text()
    assert table.startswith("# passgate benchmark over PostgreSQL (quick run)")
    for ratio in results["ratios"]:
        assert ratio["metric"] in table


@pytest.mark.slow
def test_quick_bench_through_three_replicas_writes_its_ratios_beside_the_others(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    bench_module("bench", "--quick", "--cluster", "--out", str(out))

    assert not (out / "results.json").exists()  # each run's report is its own
    results = json.loads((out / "results-cluster.json").read_text())
    ratios = {r["id"]: r for r in results["ratios"]}
    assert set(ratios) == CLUSTER_RATIOS
    for name, ratio in ratios.items():
        assert isinstance(ratio["value"], float) and math.isfinite(ratio["value"]), name
        if name == "budget_check_redis_vs_sqlite":  # reported in µs, judged by no goal
            assert ratio["goal"] is None and ratio["met"] is None
            assert "µs ÷" in ratio["note"]
            continue
        assert isinstance(ratio["met"], bool), name
    assert ratios["verify_replicas_vs_workers"]["goal"] == {"op": ">=", "value": 0.80}
    assert ratios["signin_vs_bcrypt_c8"]["goal"] == {"op": ">=", "value": 0.95}
    for name, run_result in results["runs"].items():
        assert run_result["count"] > 0, name
    cluster = results["cluster"]
    # three replicas on three loopback addresses, one port, and round_robin over them:
    # every replica answered VerifySession and SignIn calls of the load generator
    assert [t.rsplit(":", 1)[0] for t in cluster["replicas"]] == [
        "127.0.0.1",
        "127.0.0.2",
        "127.0.0.3",
    ]
    for replica, calls in cluster["calls_per_replica"].items():
        assert calls.get("VerifySession", 0) > 0 and calls.get("SignIn", 0) > 0, (replica, calls)
    assert results["limits_cost"]["redis_us"] > 0 and results["limits_cost"]["sqlite_us"] > 0
    pg = results["postgresql"]
    assert "fsync=on" in pg["settings"] and "synchronous_commit=on" in pg["settings"]
    table = (out / "results-cluster.md").read_text()
    assert table.startswith("# passgate benchmark through 3 replicas over PostgreSQL and Redis")
    for ratio in results["ratios"]:
        assert ratio["metric"] in table


@pytest.mark.slow
def test_cpu_per_call_prints_a_figure_for_every_call(tmp_path: Path) -> None:
    out = bench_module(
        "bench.cpu", "echo", "verify", "refused", "signin",
        "--rounds", "1", "--seconds", "0.5", "--out", str(tmp_path),
    )  # fmt: skip
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert set(lines) == {"echo", "verify", "refused", "signin"}
    for words in lines.values():
        # "verify 4,196 calls/s server 277 µs CPU/call event loop 187 µs/call"
        server_us, loop_us = (float(words[i].replace(",", "")) for i in (4, 9))
        # the event loop's thread was found and charged (it is part of the server's CPU)
        assert loop_us > 0 and server_us > 0


def test_hot_path_prints_passgates_own_time_per_cheap_call() -> None:
    out = bench_module("bench.hotpath", "--calls", "300", "--rounds", "2")
    figures = {
        line.split()[0]: float(line.split()[1]) for line in out.splitlines() if line.endswith("µs")
    }
    assert set(figures) == {"VerifySession", "VerifySession-traced", "refused"}
    # the run stops unless tracing off left OpenTelemetry unloaded
    assert "tracing off: OpenTelemetry not loaded" in out
    # the run itself checks the session passes and the wrong key does not
    assert all(micros > 0 for micros in figures.values()), figures


def test_the_busy_runs_steal_is_named_beside_the_p99_ratio() -> None:
    script = (
        "from bench.report import steal_note\n"
        "print(steal_note({'steal_ms': 80.0}))\n"
        "print(repr(steal_note({'steal_ms': 0.0})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    with_steal, without = run.stdout.splitlines()
    assert "the hypervisor took 80 ms of CPU" in with_steal
    assert without == "''"


def test_signin_is_judged_by_the_floor_beside_each_round_and_never_passed_by_a_disturbed_one():
    """Each round's SignIn ÷ the floor taken right after it, the median of those; a
    floor below SignIn (the machine slowed while it was taken) fails the goal rather
    than passing it."""
    script = (
        "import json\n"
        "from bench.report import ratios_of_signin\n"
        "def run(paired):\n"
        "    signin = {'rps': 28.5, 'rounds': [28.0, 28.5], 'errors': 0}\n"
        "    floor = {'throughput_per_second': 29.75, 'implementation': 'passgate-kernel',\n"
        "             'lanes': 4, 'paired': paired}\n"
        "    return {'runs': {'signin-c8': signin}, 'bcrypt': {'at_concurrency': {'8': floor}}}\n"
        "steady, disturbed = [28.5, 29.5], [20.5, 29.5]\n"
        "print(json.dumps([ratios_of_signin(run(p), 0.97)[0] for p in (steady, disturbed)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    steady, disturbed = json.loads(done.stdout)
    paired = statistics.median([28.0 / 28.5, 28.5 / 29.5])
    assert steady["value"] == round(paired, 4) and steady["met"] is True, steady
    assert 28.5 / 29.75 < 0.97  # against the run's fastest floor alone it would fail
    assert disturbed["value"] > 1 and disturbed["met"] is False, disturbed
    assert "run again" in disturbed["note"]
