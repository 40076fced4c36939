"""Ratios beside their goals (issue 7), the markdown table and the plot."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

_OPS = {
    ">=": lambda value, goal: value >= goal,
    "<=": lambda value, goal: value <= goal,
    "==": lambda value, goal: value == goal,
}


def _ratio(
    id: str,
    metric: str,
    value: float | None,
    op: str | None,
    goal: float | None,
    *,
    errors: int = 0,
    note: str = "",
) -> dict[str, Any]:
    """One figure of the run; `op` and `goal` None for a figure reported without a goal
    (its "met" is then None, as for one not measured)."""
    numeric = value is not None and not math.isnan(value)
    met = None
    if numeric and op is not None and goal is not None:
        met = bool(_OPS[op](value, goal))
    return {
        "id": id,
        "metric": metric,
        "value": round(value, 4) if numeric else None,
        "goal": {"op": op, "value": goal} if op is not None else None,
        "met": met,
        "errors": errors,
        "note": note,
    }


def _peak(runs: dict[str, Any], prefix: str, levels: list[int]) -> tuple[float, int]:
    """The best calls/s over the levels run, and the level it came at."""
    found = [(runs[f"{prefix}-c{c}"]["rps"], c) for c in levels if f"{prefix}-c{c}" in runs]
    return max(found) if found else (math.nan, 0)


def _beside_echo(
    runs: dict[str, Any], prefix: str, levels: list[int]
) -> tuple[float, int, list[float], float]:
    """`prefix` ÷ the echo at the level where the echo peaks: the median of the
    two runs' ratios round by round (`_paired`), the rounds' ratios, and the
    ratio of the two runs' best rounds."""
    _, c = _peak(runs, "echo", levels)
    ours, echo = runs.get(f"{prefix}-c{c}"), runs.get(f"echo-c{c}")
    if ours is None or echo is None:
        return math.nan, c, [], math.nan
    return _paired(ours, echo), c, _round_ratios(ours, echo), ours["rps"] / echo["rps"]


def _echo_note(ours: str, c: int, ratios: list[float], best: float) -> str:
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    return (
        f"{_median_of(len(ratios))} at {c} in flight ({rounds}), each {ours} "
        f"run beside the echo's; best round ÷ best round {best:.2f}"
    )


def _median_of(rounds: int) -> str:
    """How a figure of `rounds` rounds' paired ratios was taken."""
    return "the one round's ratio" if rounds == 1 else f"median of {rounds} rounds' ratios"


def _errors(runs: dict[str, Any], *names: str, expected: str = "OK") -> int:
    return sum(
        n
        for name in names
        if name in runs
        for code, n in runs[name]["codes"].items()
        if code != expected
    )


# A SignIn round above the floor taken beside it by more than this: the machine's
# speed moved between the two (the floor cannot be beaten), so the run cannot judge.
DISTURBED = 1.03


def ratios_of_signin(r: dict[str, Any], goal: float, where: str = "") -> list[dict[str, Any]]:
    """SignIn calls/s ÷ the bcrypt floor's at as many lanes as that many calls in flight
    fill, at 2, 8 and 64 in flight (`where`: through what): the median of each round's
    SignIn ÷ the floor taken right after that round, where the run has them."""
    runs: dict[str, Any] = r["runs"]
    out = []
    for c in (2, 8, 64):
        s = runs.get(f"signin-c{c}")
        if not s:
            continue
        floor = r["bcrypt"].get("at_concurrency", {}).get(str(c))
        if floor is None:  # results of a run before floors per level
            floor = {**r["bcrypt"], "lanes": r["bcrypt"].get("lanes", 1)}
        raw = floor["throughput_per_second"]
        kind = f"{floor['implementation']}, {floor['lanes']} per call"
        paired, rounds = floor.get("paired") or [], s.get("rounds") or []
        if paired and len(paired) == len(rounds):
            ratios = [ours / beside for ours, beside in zip(rounds, paired, strict=True)]
            value = statistics.median(ratios)
            note = (
                f"{_median_of(len(ratios))} "
                f"({', '.join(f'{x:.3f}' for x in ratios)}), each round's SignIn "
                f"({', '.join(f'{x:.2f}' for x in rounds)}/s) ÷ the floor taken right after "
                f"it ({', '.join(f'{x:.2f}' for x in paired)}/s; {kind}); the run's fastest "
                f"floor {raw:.2f}/s gives {s['rps'] / raw:.3f}"
            )
        else:
            ratios, value = [], s["rps"] / raw
            note = f"{s['rps']:.2f}/s ÷ {raw:.2f}/s ({kind})"
        ratio = _ratio(
            f"signin_vs_bcrypt_c{c}",
            f"SignIn throughput{where} ÷ raw bcrypt throughput, {c} in flight",
            value,
            ">=",
            goal,
            errors=s["errors"],
            note=note,
        )
        if any(x > DISTURBED for x in ratios):
            ratio["met"] = False
            ratio["note"] += (
                f"; a round above its floor by more than {DISTURBED - 1:.0%}: the machine's "
                "speed moved between them, so this run cannot judge the goal: run again"
            )
        out.append(ratio)
    return out


def _floors_per_level(b: dict[str, Any]) -> list[str]:
    """The line naming the floor each SignIn level is judged against, when the run has them."""
    levels = b.get("at_concurrency")
    if not levels:
        return []
    each = "; ".join(
        f"{c} in flight {f['throughput_per_second']:.2f}/s ({f['implementation']}, "
        f"{f['lanes']} per call)"
        for c, f in levels.items()
    )
    return [
        "",
        "Floor per SignIn level (the fastest at as many lanes per core as that many calls "
        f"fill): {each}.",
    ]


def _large_vs_small_signin(r: dict[str, Any]) -> dict[str, Any]:
    runs: dict[str, Any] = r["runs"]
    large_users = r["datasets"]["large"]["users"]
    small_users = r["datasets"]["small"]["users"]
    big, small = runs["large-signin-c8"], runs["small-signin-c8"]
    return _ratio(
        "large_vs_small_signin",
        f"SignIn throughput, {large_users:,} users ÷ {small_users:,} users",
        big["rps"] / small["rps"],
        ">=",
        0.90,
        errors=_errors(runs, "large-signin-c8", "small-signin-c8"),
        note=f"{big['rps']:.2f}/s ÷ {small['rps']:.2f}/s, 8 in flight",
    )


def ratios(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The ratios of the run over SQLite, beside the goals of issue 7."""
    runs: dict[str, Any] = r["runs"]
    plan = r["plan"]
    floor = r["bcrypt"]
    one_ms = floor["single_seconds"] * 1000
    out = ratios_of_signin(r, 0.97)

    signin_runs = [f"signin-c{c}" for c in plan["signin_levels"]]
    out.append(
        _ratio(
            "signin_errors",
            "SignIn calls that failed (every SignIn run)",
            float(_errors(runs, *signin_runs, "signin-p80")),
            "==",
            0,
            errors=_errors(runs, *signin_runs, "signin-p80"),
            note=f"of {sum(runs[n]['count'] for n in signin_runs if n in runs)} calls",
        )
    )
    saturated = f"signin-c{max(plan['signin_levels'])}"
    if saturated in runs:
        s = runs[saturated]
        out.append(
            _ratio(
                "signin_p99_over_p50_saturated",
                f"SignIn p99 ÷ p50 at saturation ({s['concurrency']} in flight)",
                s["p99_ms"] / s["p50_ms"],
                "<=",
                1.3,
                errors=s["errors"],
                note=f"{s['p99_ms']:.0f} ms ÷ {s['p50_ms']:.0f} ms",
            )
        )
    s = runs["signin-c1"]
    out.append(
        _ratio(
            "signin_p50_c1_vs_bcrypt",
            "SignIn p50, 1 in flight ÷ one bcrypt verification",
            s["p50_ms"] / one_ms,
            "<=",
            1.05,
            errors=s["errors"],
            note=f"{s['p50_ms']:.1f} ms ÷ {one_ms:.1f} ms",
        )
    )
    s = runs["signin-p80"]
    out.append(
        _ratio(
            "signin_p99_at_80pct_vs_bcrypt",
            "SignIn p99 at 80 % of peak SignIn throughput ÷ one bcrypt verification",
            s["p99_ms"] / one_ms,
            "<=",
            3.0,
            errors=s["errors"],
            note=f"{s['p99_ms']:.1f} ms ÷ {one_ms:.1f} ms at {s['rps']:.2f}/s",
        )
    )

    levels = list(plan["cheap_levels"])
    ratio, c, ratios, best = _beside_echo(runs, "verify", levels)
    out.append(
        _ratio(
            "verify_vs_echo",
            "VerifySession (valid session) ÷ bare grpcio echo server",
            ratio,
            ">=",
            0.80,
            errors=_errors(runs, *(f"verify-c{c}" for c in levels)),
            note=_echo_note("VerifySession", c, ratios, best),
        )
    )
    refused_levels = list(plan["refused_levels"])
    ratio, c, ratios, best = _beside_echo(runs, "refused", refused_levels)
    out.append(
        _ratio(
            "refused_vs_echo",
            "Call refused by the API-key check ÷ bare echo server",
            ratio,
            ">=",
            0.90,
            errors=_errors(
                runs, *(f"refused-c{c}" for c in refused_levels), expected="Unauthenticated"
            ),
            note=_echo_note("refused", c, ratios, best)
            + "; errors: answers other than UNAUTHENTICATED",
        )
    )
    busy = runs["verify-busy"]
    idle = min(runs["verify-idle-before"], runs["verify-idle-after"], key=lambda x: x["p99_ms"])
    out.append(
        _ratio(
            "verify_p99_busy_vs_idle",
            "VerifySession p99 while SignIn is saturated ÷ idle",
            busy["p99_ms"] / idle["p99_ms"],
            "<=",
            3.0,
            errors=_errors(runs, "verify-idle-before", "verify-busy", "verify-idle-after"),
            note=f"{busy['p99_ms']:.2f} ms ÷ {idle['p99_ms']:.2f} ms at {idle['rps_target']:.0f}/s"
            + steal_note(busy),
        )
    )
    out.append(_large_vs_small_signin(r))
    large_users = r["datasets"]["large"]["users"]
    small_users = r["datasets"]["small"]["users"]
    big, big_c = _peak(runs, "large-verify", refused_levels)
    small, small_c = _peak(runs, "verify", refused_levels)
    out.append(
        _ratio(
            "large_vs_small_verify",
            f"VerifySession throughput, {large_users:,} users ÷ {small_users:,} users",
            big / small,
            ">=",
            0.90,
            errors=_errors(runs, *(f"large-verify-c{c}" for c in refused_levels)),
            note=f"{big:,.0f}/s ({big_c} in flight) ÷ {small:,.0f}/s ({small_c} in flight)",
        )
    )
    m = r["memory"]
    first, last = m["calls"]
    out.append(
        _ratio(
            "rss_last_vs_first",
            f"Resident memory after {last:,} calls ÷ after {first:,}",
            m["rss_bytes_after_last"] / m["rss_bytes_after_first"],
            "<=",
            1.10,
            errors=m["errors"],
            note=f"{m['rss_bytes_after_last'] / 2**20:.1f} MiB ÷ "
            f"{m['rss_bytes_after_first'] / 2**20:.1f} MiB",
        )
    )
    out += _observability(r)
    w = r.get("workers", {})
    if w.get("available"):
        one, many = runs[w["workers_1"]], runs[w[f"workers_{w['cores']}"]]
        out.append(
            _ratio(
                "workers_scaling",
                f"VerifySession, {w['cores']} workers ÷ 1 worker",
                many["rps"] / one["rps"],
                ">=",
                1.3,
                errors=_errors(runs, one["name"], many["name"]),
                note=f"{many['rps']:,.0f}/s ÷ {one['rps']:,.0f}/s; the load generator took "
                f"{many['generator_cpu_share']:.2f} of {w['cores']} cores",
            )
        )
    else:
        out.append(
            _ratio(
                "workers_scaling",
                "VerifySession, N workers ÷ 1 worker",
                None,
                ">=",
                1.3,
                note=w.get("reason", "not measured"),
            )
        )
    return out


def _mean_rps(run: dict[str, Any]) -> float:
    """Calls/s over every round of a run: sides measured in alternating order are
    compared by their means, so drift over the rounds weighs on both alike."""
    rounds = run["rounds"] or [run["rps"]]
    return sum(rounds) / len(rounds)


def _round_ratios(side: dict[str, Any], plain: dict[str, Any]) -> list[float]:
    """`side`'s calls/s ÷ the plain server's, round by round."""
    return [a / b for a, b in zip(side["rounds"], plain["rounds"], strict=False) if b]


def _paired(side: dict[str, Any], plain: dict[str, Any]) -> float:
    """The median over the rounds of `side`'s calls/s ÷ the plain server's in the same
    round: a round the machine slowed weighs on both of its figures, not on the ratio."""
    pairs = _round_ratios(side, plain)
    return statistics.median(pairs) if pairs else side["rps"] / plain["rps"]


def _observability(r: dict[str, Any]) -> list[dict[str, Any]]:
    """VerifySession with metrics served ÷ without (goal 0.97), and with traces
    exported ÷ without (reported, no goal)."""
    runs: dict[str, Any] = r["runs"]
    o = r["observability"]
    sides = o["sides"]
    plain = runs[sides["plain"]]
    off = _mean_rps(plain)
    how = (
        f"{_median_of(o['rounds'])} (the sides in alternating order), {o['concurrency']} in flight"
    )
    metrics = runs[sides["metrics"]]
    out = [
        _ratio(
            "metrics_on_vs_off",
            "VerifySession with --metrics-listen ÷ without",
            _paired(metrics, plain),
            ">=",
            0.97,
            errors=_errors(runs, sides["plain"], sides["metrics"]),
            note=f"means {_mean_rps(metrics):,.0f}/s and {off:,.0f}/s, {how}; the metrics "
            f"counted {o['metrics_counted_calls']:,.0f} VerifySession calls",
        )
    ]
    traced = runs.get(sides.get("traced", ""))
    out.append(
        _ratio(
            "tracing_on_vs_off",
            "VerifySession with traces exported over OTLP ÷ without",
            _paired(traced, plain) if traced else None,
            None,
            None,
            errors=_errors(runs, sides["traced"]) if traced else 0,
            note=f"means {_mean_rps(traced):,.0f}/s and {off:,.0f}/s, {how}; the receiver "
            f"got {o['spans_exported']:,} spans"
            if traced
            else o["tracing"],
        )
    )
    return out


def postgresql_ratios(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The ratios of the run over PostgreSQL (issue 15): SignIn against the bcrypt
    floor and over both database sizes, and VerifySession against the same server
    over SQLite, up beside it."""
    runs: dict[str, Any] = r["runs"]
    out = ratios_of_signin(r, 0.95)
    levels = list(r["plan"]["cheap_levels"])
    pg, pg_c = _peak(runs, "verify", levels)
    lite, lite_c = _peak(runs, "sqlite-verify", levels)
    out.append(
        _ratio(
            "verify_postgresql_vs_sqlite",
            "VerifySession over PostgreSQL ÷ over SQLite",
            pg / lite,
            ">=",
            0.90,
            errors=_errors(
                runs, *(f"{kind}-c{c}" for c in levels for kind in ("verify", "sqlite-verify"))
            ),
            note=f"{pg:,.0f}/s ({pg_c} in flight) ÷ {lite:,.0f}/s ({lite_c} in flight)",
        )
    )
    out.append(_large_vs_small_signin(r))
    return out


def cluster_ratios(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The ratios of the run through three replicas over PostgreSQL and Redis: SignIn
    against the bcrypt floor, VerifySession against one server with as many workers
    over SQLite (up beside them), and one budget check in Redis against SQLite."""
    runs: dict[str, Any] = r["runs"]
    replicas = len(r["cluster"]["replicas"])
    out = ratios_of_signin(r, 0.95, f" through {replicas} replicas")
    levels = list(r["plan"]["cheap_levels"])
    through, through_c = _peak(runs, "cluster-verify", levels)
    workers, workers_c = _peak(runs, "sqlite-workers-verify", levels)
    out.append(
        _ratio(
            "verify_replicas_vs_workers",
            f"VerifySession through {replicas} replicas (PostgreSQL, Redis) "
            f"÷ --workers {r['cluster']['workers']} over SQLite",
            through / workers,
            ">=",
            0.80,
            errors=_errors(
                runs,
                *(
                    f"{kind}-c{c}"
                    for c in levels
                    for kind in ("cluster-verify", "sqlite-workers-verify")
                ),
            ),
            note=f"{through:,.0f}/s ({through_c} in flight) ÷ {workers:,.0f}/s "
            f"({workers_c} in flight), {r['cluster']['connections']} connections each",
        )
    )
    cost = r["limits_cost"]
    out.append(
        _ratio(
            "budget_check_redis_vs_sqlite",
            "One budget check (key and address) in Redis ÷ in a SQLite limits store",
            cost["redis_us"] / cost["sqlite_us"],
            None,
            None,
            note=f"{cost['redis_us']:.1f} µs ÷ {cost['sqlite_us']:.1f} µs per call, "
            f"{cost['calls']:,} calls each, call by call",
        )
    )
    return out


# --- markdown ---------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value == int(value) and (abs(value) >= 1 or value == 0):
        return f"{int(value)}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"


def _met(ratio: dict[str, Any]) -> str:
    if ratio["goal"] is None:
        return "no goal"
    if ratio["met"] is None:
        return "not measured"
    return "yes" if ratio["met"] and not ratio["errors"] else "**no**"


def steal_note(run: dict[str, Any]) -> str:
    """Says when the hypervisor stopped the machine during `run`: every call in
    flight then waited, whatever the server did."""
    steal = run["steal_ms"]
    return f"; the hypervisor took {steal:,.0f} ms of CPU during the busy run" if steal else ""


def _noise(m: dict[str, Any]) -> list[str]:
    """A line on what else ran on the machine: its CPU use skews every ratio."""
    share = m.get("other_processes_cpu_share")
    if share is None:
        return []
    line = (
        f"Other processes used {share:.0%} of the machine's CPU during the run "
        f"(load average {m['load_average_at_start'][0]:.2f} at the start)."
    )
    if share > 0.05:
        line = f"**Warning: the machine was not idle.** {line} Ratios are skewed; run again."
    return [line, ""]


def _goal(goal: dict[str, Any] | None) -> str:
    if goal is None:
        return "—"
    op = {">=": "≥", "<=": "≤", "==": "="}[goal["op"]]
    return f"{op} {_fmt(goal['value'])}"


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    changed = " + local changes" if m["passgate_tree_changed"] else ""
    over = " over PostgreSQL" if "postgresql" in r else ""
    if "cluster" in r:
        over = f" through {len(r['cluster']['replicas'])} replicas over PostgreSQL and Redis"
    rows = [
        f"# passgate benchmark{over} ({r['mode']} run)",
        "",
        f"{m['cores']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"Python {m['python']}, grpcio {m['grpcio']}, bcrypt {m['bcrypt']} at cost "
        f"{r['bcrypt']['cost']}; load by {r['generator']} on the same cores; "
        f"passgate {m['passgate_commit']}{changed};"
        f" {r['started_at']}, {r['duration_seconds']:.0f} s.",
        "",
        *_noise(m),
        "| metric | measured | goal | met? | errors | detail |",
        "|---|---|---|---|---|---|",
    ]
    for x in r["ratios"]:
        goal = _goal(x["goal"])
        rows.append(
            f"| {x['metric']} | {_fmt(x['value'])} | {goal} | {_met(x)} | {x['errors']} "
            f"| {x['note']} |"
        )
    met = sum(1 for x in r["ratios"] if x["met"] and not x["errors"])
    goals = sum(1 for x in r["ratios"] if x["goal"] is not None)
    rows += [
        "",
        f"{met} of {goals} goals met.",
        "",
        "## Runs",
        "",
        "| run | in flight | calls/s | p50 ms | p99 ms | calls | not OK | generator CPU (cores) "
        "| steal ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, x in r["runs"].items():
        target = f" (rate {x['rps_target']:.0f}/s)" if x["rps_target"] else ""
        rows.append(
            f"| {name}{target} | {x['concurrency']} | {x['rps']:,.1f} | {x['p50_ms']:,.2f} "
            f"| {x['p99_ms']:,.2f} | {x['count']} | {x['errors']} | "
            f"{x['generator_cpu_share']:.2f} | {x['steal_ms']:,.0f} |"
        )
    b = r["bcrypt"]
    rows += [
        "",
        f"bcrypt floor (the fastest implementation measured that gives pyca's answers: "
        f"{b['implementation']}): one verification "
        f"{b['single_seconds'] * 1000:.1f} ms (median of {b['single_samples']}); "
        f"{b['throughput_per_second']:.2f}/s with {b['method']}.",
        *_floors_per_level(b),
        "",
        "| bcrypt implementation | verifications per call | one verification ms "
        "| all cores /s | gives pyca's answers |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {m['implementation']} | {m.get('lanes', 1)} | {m['single_seconds'] * 1000:.1f} | "
            f"{m['throughput_per_second']:.2f} | {'yes' if m.get('agrees', True) else 'NO'} |"
            for m in b["measurements"]
        ),
    ]
    for label, d in r["datasets"].items():
        how = (
            f"from the cache, copied in {d['copy_seconds']:.1f} s"
            if d["cached"]
            else f"built in {d['build_seconds']:.1f} s"
        )
        rows.append(
            f"Database {label}: {d['users']:,} users, {d['size_bytes'] / 2**20:.0f} MiB, {how}."
        )
    return "\n".join([*rows, *_postgresql_lines(r)]) + "\n"


def _postgresql_lines(r: dict[str, Any]) -> list[str]:
    """The cluster a PostgreSQL run served from, and what copying the users cost."""
    pg = r.get("postgresql")
    if pg is None:
        return []
    lines = ["", f"PostgreSQL {pg['version']} ({', '.join(pg['settings'])})."]
    lines += [
        f"PostgreSQL database {label}: {c['users']:,} users copied from the SQLite file "
        f"in {c['seconds']:.1f} s."
        for label, c in pg["copies"].items()
    ]
    return lines


# --- plot ----------------------------------------------------------------------------


def plot(r: dict[str, Any], path: Path) -> bool:
    """Throughput and p50/p99 per concurrency; False when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = r["runs"]
    plan = r["plan"]
    series = [
        ("SignIn", "signin", plan["signin_levels"], "tab:red"),
        ("VerifySession", "verify", plan["cheap_levels"], "tab:blue"),
        ("bare echo", "echo", plan["cheap_levels"], "tab:gray"),
        ("refused (bad key)", "refused", plan["refused_levels"], "tab:orange"),
        ("VerifySession, large database", "large-verify", plan["refused_levels"], "tab:green"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    panels = (
        ("SignIn", ("signin",)),
        ("cheap calls", ("verify", "echo", "refused", "large-verify")),
    )
    for col, (title, prefixes) in enumerate(panels):
        top, bottom = axes[0][col], axes[1][col]
        for label, prefix, levels, color in series:
            if prefix not in prefixes:
                continue
            pts = [(c, runs[f"{prefix}-c{c}"]) for c in levels if f"{prefix}-c{c}" in runs]
            if not pts:
                continue
            xs = [c for c, _ in pts]
            top.plot(xs, [x["rps"] for _, x in pts], "o-", color=color, label=label)
            bottom.plot(xs, [x["p50_ms"] for _, x in pts], "o-", color=color, label=f"{label} p50")
            bottom.plot(xs, [x["p99_ms"] for _, x in pts], "s--", color=color, label=f"{label} p99")
        if col == 0:
            top.axhline(
                r["bcrypt"]["throughput_per_second"],
                color="black",
                lw=0.8,
                ls=":",
                label="raw bcrypt, all cores",
            )
            bottom.axhline(
                r["bcrypt"]["single_seconds"] * 1000,
                color="black",
                lw=0.8,
                ls=":",
                label="one bcrypt verification",
            )
        ticks = sorted({c for _, prefix, levels, _ in series if prefix in prefixes for c in levels})
        for ax in (top, bottom):
            ax.set_xscale("log", base=2)
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_xlabel("calls in flight")
            ax.grid(True, which="both", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:  # a run may draw nothing in a panel
                ax.legend(fontsize=8)
        top.set_title(f"{title}: throughput")
        top.set_ylabel("calls/s")
        top.set_ylim(bottom=0)
        bottom.set_title(f"{title}: latency")
        bottom.set_ylabel("ms")
        bottom.set_yscale("log")
    m = r["machine"]
    fig.suptitle(
        f"passgate, {r['mode']} run: {m['cores']} cores ({m['cpu_model']}), "
        f"bcrypt cost {r['bcrypt']['cost']}, load by {r['generator']}",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
