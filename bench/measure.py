#!/usr/bin/env python3
"""Runs the ark benchmark teams on two Temporal backends and reports makespan / critical path.

Called by bench/run, which builds the CLI and starts (and stops) the Temporal dev server; see
bench/README.md for what is measured. Python 3 standard library only.

For every run, from the ArkRun JSON that `ark run -o json` prints:
  makespan          status.completionTime - status.startTime (workflow clock)
  critical path     longest dependsOn chain (in steps) x mock latency; each step is one model call
  ratio             makespan / critical path
  step overhead     (step completionTime - step startTime) - latency, for every step
  cold start        wall-clock time of the whole `ark run` process (JVM start to exit), split into
                    process start -> status.startTime, status.completionTime -> result printed
                    (last stdout bytes), result printed -> process exit
Then the same teams again in ONE JVM (bench/WarmRuns.java, through the CLI's public entry point),
dropping the first rounds: the same numbers with a warm JVM, as a long-lived worker sees them.
For dev-server runs also, from the workflow history (`temporal workflow show`), where each step's
overhead goes: workflow task that launches it, activity schedule-to-start, activity execution
beyond the latency, and activity completion -> next workflow task start.

--jvm-flags: instead, `ark run` of the first team (cold JVM, both backends, interleaved) with
several ARK_JAVA_OPTS (C1 only, an AppCDS archive trained first, both), side by side.
"""

import argparse
import base64
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realmodel  # noqa: E402  (bench/realmodel.py)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAR = os.path.join(ROOT, "cli", "target", "ark.jar")  # --jar: bench/run passes a private copy
MARKERS = {  # section of docs/performance.md that `bench/run --write` rewrites, per mode
    "results": ("<!-- bench:results:begin (written by bench/run --write; do not edit by hand) -->",
                "<!-- bench:results:end -->"),
    "jvm-flags": ("<!-- bench:jvm-flags:begin (written by bench/run --jvm-flags --write; do not edit by hand) -->",
                  "<!-- bench:jvm-flags:end -->"),
}
BAR = 1.25
TARGET = 1.05
INPUT = '{"topic": "queues"}'
BACKENDS = ("embedded", "dev server")
PHASES = (
    ("launch", "workflow task that launches the step (start → activity scheduled)"),
    ("dispatch", "activity schedule-to-start (matching + poller)"),
    ("execute", "activity execution beyond the mock latency"),
    ("deliver", "activity completed → next workflow task started"),
)


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def ns(timestamp):
    """RFC 3339 (any number of fraction digits, Z or offset) -> epoch nanoseconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", timestamp)
    if not m:
        raise ValueError("not an RFC 3339 timestamp: " + timestamp)
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    base = datetime.datetime.fromisoformat(m.group(1) + zone)
    fraction = (m.group(2) or "0")[:9].ljust(9, "0")
    return int(base.timestamp()) * 10**9 + int(fraction)


def ark_command(args, java_opts=None):
    """The launcher as a user runs it (`./ark ARGS`, on the jar under test: ARK_JAR, so no
    staleness check; its class-data-sharing archive and JIT options apply), or with java_opts
    given (the --jvm-flags experiment) plain `java OPTS -jar ark.jar ARGS`."""
    if java_opts is None:
        return ["bash", os.path.join(ROOT, "ark")] + args
    return ["java"] + shlex.split(java_opts) + ["-jar", JAR] + args


def ark_env(extra=None):
    env = dict(os.environ, ARK_JAR=JAR)
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def ark(args, timeout=300):
    return subprocess.run(ark_command(args), cwd=ROOT, env=ark_env(), capture_output=True, text=True,
                          timeout=timeout)


def dag(team_file):
    """Step -> dependsOn, as the engine plans it (`ark run --dry-run`)."""
    proc = ark(["run", team_file, "--input", INPUT, "--dry-run"])
    if proc.returncode != 0:
        sys.exit("bench: ark run --dry-run %s failed:\n%s%s" % (team_file, proc.stdout, proc.stderr))
    deps, in_pipeline = {}, False
    for line in proc.stdout.splitlines():
        if line.strip() == "Pipeline:":
            in_pipeline = True
            continue
        if in_pipeline:
            m = re.fullmatch(r"\s+(\S+) \(role [^)]*\)(?: after (.+))?", line)
            if not m:
                break
            deps[m.group(1)] = [d.strip() for d in m.group(2).split(",")] if m.group(2) else []
    if not deps:
        sys.exit("bench: no pipeline in the dry-run output of %s:\n%s" % (team_file, proc.stdout))
    return deps


def longest_chain(deps):
    memo = {}

    def depth(step):
        if step not in memo:
            memo[step] = 1 + max((depth(d) for d in deps[step]), default=0)
        return memo[step]

    return max(depth(s) for s in deps)


def run_once(team_file, latency_ms, address, java_opts=None, args=None, env=None):
    """One `ark run` process; times the process and when its result (stdout) arrived."""
    if args is None:
        args = ["run", team_file, "--input", INPUT, "--mock-latency", "%dms" % latency_ms, "-o", "json"]
    if address:
        args += ["--temporal-address", address]
    with tempfile.TemporaryFile() as err:
        t0 = time.time_ns()
        proc = subprocess.Popen(ark_command(args, java_opts), cwd=ROOT, env=ark_env(env),
                                stdout=subprocess.PIPE, stderr=err)
        out, printed = b"", t0
        while True:
            chunk = proc.stdout.read1(65536)
            if not chunk:
                break
            out, printed = out + chunk, time.time_ns()
        code = proc.wait(timeout=300)
        t1 = time.time_ns()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if code != 0:
        sys.exit("bench: ark %s failed (exit %d):\n%s%s"
                 % (" ".join(args), code, out.decode(errors="replace"), stderr))
    s = parse_run(json.loads(out))
    s["wall_ms"] = (t1 - t0) / 1e6
    s["before_ms"] = (s["start_ns"] - t0) / 1e6
    s["result_ms"] = (printed - s["end_ns"]) / 1e6
    s["exit_ms"] = (t1 - printed) / 1e6
    return s


def warm_series(teams, latency_ms, address, rounds, warmup):
    """All teams on both backends, `rounds` times, in ONE JVM (bench/WarmRuns.java); the first
    `warmup` rounds are dropped, so the rest show a warm JVM, as in a long-lived worker."""
    variants, args = [], [JAR, os.path.join(ROOT, "bench", "WarmRuns.java"), str(rounds)]
    for name, (f, _) in teams.items():
        for b in BACKENDS:
            variants.append((name, b))
            args += ["--", "run", f, "--input", INPUT, "--mock-latency", "%dms" % latency_ms, "-o", "json"]
            if address[b]:
                args += ["--temporal-address", address[b]]
    proc = subprocess.run(["java", "-cp"] + args, cwd=ROOT, capture_output=True, text=True,
                          timeout=60 + 15 * rounds * len(variants))
    if proc.returncode != 0:
        sys.exit("bench: bench/WarmRuns.java failed (exit %d):\n%s" % (proc.returncode, proc.stderr))
    out = []
    for line in proc.stdout.splitlines():
        round_, variant, code, text = line.split(" ", 3)
        name, b = variants[int(variant)]
        if code != "0":
            sys.exit("bench: warm run %s of %s on %s exited %s:\n%s" % (round_, name, b, code, text))
        if int(round_) >= warmup:
            out.append((name, b, parse_run(json.loads(text))))
    return out


def parse_run(run):
    status = run["status"]
    if status.get("phase") != "Succeeded":
        sys.exit("bench: run %s ended %s" % (run["metadata"]["name"], status.get("phase")))
    steps = []
    for s in status["steps"]:
        if s.get("attempts") != 1:
            sys.exit("bench: step %s took %s model calls; the critical path assumes one per step"
                     % (s["name"], s.get("attempts")))
        steps.append({"name": s["name"],
                      "duration_ms": (ns(s["completionTime"]) - ns(s["startTime"])) / 1e6})
    return {
        "workflowId": status["workflowId"],
        "start_ns": ns(status["startTime"]),
        "end_ns": ns(status["completionTime"]),
        "makespan_ms": (ns(status["completionTime"]) - ns(status["startTime"])) / 1e6,
        "steps": steps,
    }


def history_phases(workflow_id, address, latency_ms):
    """Per step, where its orchestration overhead goes, from the dev server's history."""
    proc = subprocess.run(
        ["temporal", "workflow", "show", "-w", workflow_id, "--address", address, "-o", "json"],
        capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        log("could not read the history of %s: %s" % (workflow_id, proc.stderr.strip()))
        return []
    events = json.loads(proc.stdout)["events"]
    by_id = {int(e["eventId"]): e for e in events}
    t = {int(e["eventId"]): ns(e["eventTime"]) for e in events}
    wft_started = sorted(i for i, e in by_id.items()
                         if e["eventType"] == "EVENT_TYPE_WORKFLOW_TASK_STARTED")
    result = []
    for i, e in sorted(by_id.items()):
        if e["eventType"] != "EVENT_TYPE_ACTIVITY_TASK_COMPLETED":
            continue
        attrs = e["activityTaskCompletedEventAttributes"]
        scheduled_id, started_id = int(attrs["scheduledEventId"]), int(attrs["startedEventId"])
        scheduled = by_id[scheduled_id]["activityTaskScheduledEventAttributes"]
        payload = scheduled["input"]["payloads"][0]["data"]
        step = json.loads(base64.b64decode(payload)).get("step", "?")
        completed_wft = by_id[int(scheduled["workflowTaskCompletedEventId"])]
        launch_wft_started = int(completed_wft["workflowTaskCompletedEventAttributes"]["startedEventId"])
        next_wft = next((w for w in wft_started if w > i), None)
        if next_wft is None:
            continue
        result.append({
            "step": step,
            "launch": (t[scheduled_id] - t[launch_wft_started]) / 1e6,
            "dispatch": (t[started_id] - t[scheduled_id]) / 1e6,
            "execute": (t[i] - t[started_id]) / 1e6 - latency_ms,
            "deliver": (t[next_wft] - t[i]) / 1e6,
        })
    return result


def median(xs):
    return statistics.median(xs)


def p90(xs):
    xs = sorted(xs)
    return xs[max(0, -(-9 * len(xs) // 10) - 1)]  # nearest rank


def machine():
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    temporal = subprocess.run(["temporal", "--version"], capture_output=True, text=True).stdout.strip()
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    version = subprocess.run(ark_command(["version"]), env=ark_env(), capture_output=True,
                             text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {
        "ark": "%s at %s%s" % (version or "ark ?", commit or "?", " + uncommitted changes" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "os": platform.system() + " " + platform.release(),
        "java": java[0] if java else "?",
        "temporal": temporal,
    }


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def fmt_range(xs, digits, scale=1.0):
    f = "%%.%df" % digits
    return (f % (median(xs) / scale)) + " (" + (f % (min(xs) / scale)) + "–" + (f % (max(xs) / scale)) + ")"


def verdict(ratios):
    m = median(ratios)
    return "%s / %s" % ("meets" if m <= BAR else "**MISSES**", "meets" if m <= TARGET else "misses")


def steps_of(runs, latency_ms, first):
    return [st["duration_ms"] - latency_ms for s in runs for st in s["steps"]
            if first is None or (st["name"] == "a") == first]


def report(teams, samples, warm, phases, latency_ms, runs, info, load_before, load_after, command):
    """samples[jvm][team][backend] -> runs; jvm is "cold" (one `ark run` process per run) or "warm"."""
    out = []
    out.append("Measured %s: %s on %d × %s (%s), %s, %s. Load average (1/5/15 min) before / "
               "after: %s / %s." % (info["date"], info["ark"], info["nproc"], info["cpu"] or "CPU",
                                    info["os"], info["java"], info["temporal"], load_before, load_after))
    out.append("")
    out.append("Command: `%s` — %d runs per team and backend, embedded and dev-server runs "
               "interleaved, mock latency %d ms. *Cold JVM*: every run is its own `ark run` "
               "process (what a user sees). *Warm JVM*: %d more runs of each in one JVM after %d "
               "warm-up rounds (what a long-lived worker sees). Cells: median (min–max) over the "
               "runs; bar / target judged on the median." % (command, runs, latency_ms, runs, warm))
    out.append("")
    out.append("| makespan ÷ critical path | team | embedded | dev server | bar ≤ %.2f / target ≤ %.2f (embedded; dev server) |"
               % (BAR, TARGET))
    out.append("|---|---|---|---|---|")
    for jvm, label in (("cold", "**`ark run` (cold JVM)**"), ("warm", "warm JVM")):
        for team, (_, chain) in teams.items():
            cp = chain * latency_ms
            cells, verdicts = [], []
            for b in BACKENDS:
                ratios = [s["makespan_ms"] / cp for s in samples[jvm][team][b]]
                cells.append(fmt_range(ratios, 3))
                verdicts.append(verdict(ratios))
            out.append("| %s | %s | %s | %s | %s |" % (label, team, cells[0], cells[1], "; ".join(verdicts)))
    out.append("")
    out.append("| time, ms | team | embedded | dev server |")
    out.append("|---|---|---|---|")
    for jvm in ("cold", "warm"):
        for team, (_, chain) in teams.items():
            cells = [fmt_range([s["makespan_ms"] for s in samples[jvm][team][b]], 0) for b in BACKENDS]
            out.append("| makespan, %s JVM (critical path %d × %d = %d) | %s | %s | %s |"
                       % (jvm, chain, latency_ms, chain * latency_ms, team, cells[0], cells[1]))
    for jvm in ("cold", "warm"):
        for label, first in (("per-step orchestration overhead, %s JVM: all steps" % jvm, None),
                             ("… first step (`a`)", True), ("… later steps", False)):
            cells = []
            for b in BACKENDS:
                xs = steps_of([s for t in teams for s in samples[jvm][t][b]], latency_ms, first)
                cells.append("%.0f (p90 %.0f, max %.0f)" % (median(xs), p90(xs), max(xs)))
            out.append("| %s | all | %s | %s |" % (label, cells[0], cells[1]))
    for team in teams:
        cells = [fmt_range([s["wall_ms"] for s in samples["cold"][team][b]], 0) for b in BACKENDS]
        out.append("| **cold start to result** (`ark run` wall clock) | %s | %s | %s |" % (team, cells[0], cells[1]))
        for key, label in (("before_ms", "… process start → first step starts"),
                           ("result_ms", "… last step ends → result printed"),
                           ("exit_ms", "… result printed → process exit")):
            cells = [fmt_range([s[key] for s in samples["cold"][team][b]], 0) for b in BACKENDS]
            out.append("| %s | %s | %s | %s |" % (label, team, cells[0], cells[1]))
    if phases["cold"] or phases["warm"]:
        out.append("")
        out.append("Where a step's overhead goes on the dev server, from the workflow histories "
                   "(median ms, p90 in brackets; the four phases add up to the step's overhead):")
        out.append("")
        out.append("| phase | cold JVM, first step (`a`) | cold JVM, later steps | warm JVM, all steps |")
        out.append("|---|---|---|---|")
        groups = ([p for p in phases["cold"] if p["step"] == "a"],
                  [p for p in phases["cold"] if p["step"] != "a"], phases["warm"])
        for key, label in PHASES:
            cells = []
            for group in groups:
                xs = [p[key] for p in group]
                cells.append("%.0f (%.0f)" % (median(xs), p90(xs)) if xs else "–")
            out.append("| %s | %s |" % (label, " | ".join(cells)))
    return "\n".join(out) + "\n"


# The targets of issue 14 that this benchmark measures: (row, what, backend, bound).
TARGETS = (
    ("`ark run` cold, makespan ÷ critical path", "cold", "embedded", 1.10),
    ("`ark run` cold, makespan ÷ critical path", "cold", "dev server", 1.15),
    ("warm JVM, makespan ÷ critical path", "warm", "embedded", 1.03),
    ("warm JVM, makespan ÷ critical path", "warm", "dev server", 1.05),
)
COLD_START_TARGET_MS = 2000
MODEL_TARGET = 1.05


def judged(value, bound, digits, unit=""):
    f = "%%.%df" % digits
    if value <= bound:
        return "met"
    return ("missed by " + f + "%s") % (value - bound, unit)


def model_ratios(model):
    return [s["makespan_ms"] / d["wall_ms"] for s, d in zip(model["ark"], model["direct"])]


def overloaded(info, load_before, load_after):
    """A warning when the 1-minute load average exceeded twice the cores before or after."""
    try:
        worst = max(float(load_before.split()[0]), float(load_after.split()[0]))
    except (ValueError, IndexError):
        return ""
    if worst <= 2 * info["nproc"]:
        return ""
    return ("**The machine was overloaded during this run (1-minute load average up to %.0f on %d "
            "cores): these numbers measure the contention, not ark — judge no target from them; "
            "rerun on a quiet machine.**\n\n" % (worst, info["nproc"]))


def targets(teams, samples, model, latency_ms):
    """The target rows: today's number (median, range), the target, met or missed by how much."""
    out = ["| target row | team | today: median (min–max) | target | verdict |", "|---|---|---|---|---|"]
    for label, jvm, backend, bound in TARGETS:
        for team, (_, chain) in teams.items():
            ratios = [s["makespan_ms"] / (chain * latency_ms) for s in samples[jvm][team][backend]]
            out.append("| %s, %s | %s | %s | ≤ %.2f | %s |" % (
                label, backend, team, fmt_range(ratios, 3), bound, judged(median(ratios), bound, 3)))
    if "diamond" in teams:
        walls = [s["wall_ms"] for s in samples["cold"]["diamond"]["embedded"]]
        out.append("| cold start to result (embedded, %d ms mock), s | diamond | %s | ≤ %.1f | %s |" % (
            latency_ms, fmt_range(walls, 2, 1000.0), COLD_START_TARGET_MS / 1000.0,
            judged(median(walls) / 1000.0, COLD_START_TARGET_MS / 1000.0, 2, " s")))
    if model:
        r = model_ratios(model)
        out.append("| real model: ark's makespan ÷ the same calls made directly | model | %s | ≤ %.2f | %s |"
                   % (fmt_range(r, 3), MODEL_TARGET, judged(median(r), MODEL_TARGET, 3)))
    return "\n".join(out) + "\n"


def model_report(model, team_file, url):
    r = model_ratios(model)
    ark, direct = model["ark"], model["direct"]
    out = ["Real model (`%s` on %s, embedded Temporal, %d rounds, ark run and direct calls "
           "interleaved; %s): every ark run sent %s the recorded requests."
           % (team_file, url, len(ark), "3 chained calls" if ark and ark[0]["calls"] == 3
              else "%d calls" % (ark[0]["calls"] if ark else 0),
              "exactly" if model["same_requests"] else "NOT exactly"), "",
           "| real model, ms | ark run | direct calls |", "|---|---|---|",
           "| pipeline: ark makespan / direct first request → last answer | %s | %s |"
           % (fmt_range([s["makespan_ms"] for s in ark], 0), fmt_range([d["wall_ms"] for d in direct], 0)),
           "| … of it inside the model server's calls (as the proxy saw them) | %s | %s |"
           % (fmt_range([s["model_ms"] for s in ark], 0), fmt_range([d["model_ms"] for d in direct], 0)),
           "| … outside them (ark: makespan − time inside the calls) | %s | %s |"
           % (fmt_range([s["makespan_ms"] - s["model_ms"] for s in ark], 0),
              fmt_range([d["wall_ms"] - d["model_ms"] for d in direct], 0)),
           "| `ark run` wall clock (JVM start to exit) | %s | – |" % fmt_range([s["wall_ms"] for s in ark], 0),
           "| ratio ark ÷ direct, per round | %s | |" % fmt_range(r, 3)]
    return "\n".join(out) + "\n"


def render(teams, samples, phases, model, latency_ms, runs, warmup, info, load_before, load_after,
           command):
    text = report(teams, samples, warmup, phases, latency_ms, runs, info, load_before, load_after,
                  command)
    text = overloaded(info, load_before, load_after) + targets(teams, samples, model, latency_ms) \
        + "\n" + text
    if model:
        text += "\n" + model_report(model, model.get("team", "bench/model.yaml"), model.get("url", "?"))
    return text


def jvm_flags(team_file, chain, latency_ms, address, runs, info, command):
    """Side-by-side `ark run` (cold JVM) with launcher JVM options that cut JVM warm-up: C1 only
    and an application class-data-sharing archive trained on one run of each backend."""
    out_dir = os.path.join(ROOT, "bench", "out")
    os.makedirs(out_dir, exist_ok=True)
    archive = os.path.join(out_dir, "ark-cds.jsa")
    if os.path.exists(archive):
        os.remove(archive)
    log("training the class-data-sharing archive bench/out/ark-cds.jsa (one run per backend)")
    training = ["java", "-XX:ArchiveClassesAtExit=" + archive, "-cp", JAR,
                os.path.join(ROOT, "bench", "WarmRuns.java"), "1"]
    for b in BACKENDS:
        training += ["--", "run", team_file, "--input", INPUT, "--mock-latency", "%dms" % latency_ms, "-o", "json"]
        if address[b]:
            training += ["--temporal-address", address[b]]
    proc = subprocess.run(training, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not os.path.exists(archive):
        sys.exit("bench: training the CDS archive failed:\n" + proc.stderr)
    check = subprocess.run(["java", "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-jar",
                            JAR, "version"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit("bench: the CDS archive does not load (-Xshare:on):\n" + check.stdout + check.stderr)
    variants = [("(none)", ""), ("`-XX:TieredStopAtLevel=1`", "-XX:TieredStopAtLevel=1"),
                ("`-XX:SharedArchiveFile=…` (AppCDS)", "-XX:SharedArchiveFile=" + archive),
                ("AppCDS + `-XX:TieredStopAtLevel=1`",
                 "-XX:SharedArchiveFile=" + archive + " -XX:TieredStopAtLevel=1")]
    load_before = loadavg()
    results = {(v, b): [] for v, _ in variants for b in BACKENDS}
    for i in range(runs):
        for k in range(len(variants)):
            label, opts = variants[(k + i) % len(variants)]
            for b in (BACKENDS if (i + k) % 2 == 0 else BACKENDS[::-1]):
                s = run_once(team_file, latency_ms, address[b], java_opts=opts)
                results[(label, b)].append(s)
                log("run %d/%d %-40s %-10s ratio %.3f  wall %5.0f ms"
                    % (i + 1, runs, label, b, s["makespan_ms"] / (chain * latency_ms), s["wall_ms"]))
    out = []
    out.append("Measured %s: %s on %d × %s, %s. Load average before / after: %s / %s."
               % (info["date"], info["ark"], info["nproc"], info["cpu"] or "CPU", info["java"],
                  load_before, loadavg()))
    out.append("")
    out.append("Command: `%s` — `ark run` of `%s` with `ARK_JAVA_OPTS` set, %d runs per option "
               "and backend, interleaved, mock latency %d ms. Cells: median (min–max)."
               % (command, os.path.relpath(team_file, ROOT) if os.path.isabs(team_file) else team_file,
                  runs, latency_ms))
    out.append("")
    out.append("| JVM options | backend | makespan ÷ critical path | overhead of the first step, ms "
               "| overhead of later steps (median), ms | cold start to result, ms |")
    out.append("|---|---|---|---|---|---|")
    for label, _ in variants:
        for b in BACKENDS:
            ss = results[(label, b)]
            out.append("| %s | %s | %s | %s | %.0f | %s |" % (
                label, b, fmt_range([s["makespan_ms"] / (chain * latency_ms) for s in ss], 3),
                fmt_range(steps_of(ss, latency_ms, True), 0),
                median(steps_of(ss, latency_ms, False)),
                fmt_range([s["wall_ms"] for s in ss], 0)))
    return "\n".join(out) + "\n"


def write_doc(path, text, section):
    begin, end = MARKERS[section]
    with open(path) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        sys.exit("bench: %s has no %s markers (%s … %s)" % (path, section, begin, end))
    head, rest = doc.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n\n" + text + "\n" + end + tail)
    log("wrote the %s section of %s" % (section, os.path.relpath(path, ROOT)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--latency-ms", type=int, default=500)
    p.add_argument("--warmup", type=int, default=2, help="warm-up rounds of the warm-JVM series")
    p.add_argument("--address", help="dev server HOST:PORT")
    p.add_argument("--write", metavar="FILE", help="rewrite the results section of FILE")
    p.add_argument("--command", default="bench/run")
    p.add_argument("--jar", help="the ark CLI jar to run (default: cli/target/ark.jar)")
    p.add_argument("--jvm-flags", action="store_true",
                   help="instead of the benchmark: compare launcher JVM options (first team only)")
    p.add_argument("--model-url", help="OpenAI-compatible base URL (…/v1) for the real-model series")
    p.add_argument("--model-runs", type=int, default=3)
    p.add_argument("--model-team", default=os.path.join("bench", "model.yaml"))
    p.add_argument("--from-json", metavar="FILE",
                   help="no runs: render the tables again from a bench/out/results-*.json")
    p.add_argument("teams", nargs="*")
    a = p.parse_args()
    global JAR
    if a.jar:
        JAR = os.path.abspath(a.jar)
    if a.runs < 1:
        sys.exit("bench: --runs must be at least 1")

    if a.from_json:
        with open(a.from_json) as f:
            saved = json.load(f)
        teams = {t: (v["file"], v["longest_chain"]) for t, v in saved["teams"].items()}
        text = render(teams, saved["samples"], saved["dev_server_phases"], saved["real_model"],
                      saved["latency_ms"], saved["runs"], saved.get("warmup", 2), saved["machine"],
                      saved["load_before"], saved["load_after"], saved["command"])
        print(text)
        if a.write:
            write_doc(a.write, text, "results")
        return

    if not a.address or not a.teams:
        p.error("--address and at least one team are needed (or --from-json)")
    teams = {}
    for f in a.teams:
        deps = dag(f)
        name = os.path.splitext(os.path.basename(f))[0]
        teams[name] = (f, longest_chain(deps))
        log("%s: %d steps, longest chain %d steps → critical path %d ms"
            % (f, len(deps), teams[name][1], teams[name][1] * a.latency_ms))
    address = {"embedded": None, "dev server": a.address}
    if a.jvm_flags:
        f, chain = next(iter(teams.values()))
        text = jvm_flags(f, chain, a.latency_ms, address, a.runs, machine(), a.command)
        print(text)
        if a.write:
            write_doc(a.write, text, "jvm-flags")
        return

    log("warm-up: one untimed run per backend (page cache, dev server namespace)")
    first = next(iter(teams.values()))[0]
    for b in BACKENDS:
        run_once(first, a.latency_ms, address[b])

    load_before = loadavg()
    samples = {jvm: {t: {b: [] for b in BACKENDS} for t in teams} for jvm in ("cold", "warm")}
    phases = {"cold": [], "warm": []}
    for i in range(a.runs):
        for name, (f, chain) in teams.items():
            # alternate which backend goes first, so drift in machine load hits both alike
            for b in (BACKENDS if i % 2 == 0 else BACKENDS[::-1]):
                s = run_once(f, a.latency_ms, address[b])
                samples["cold"][name][b].append(s)
                if b == "dev server":
                    phases["cold"] += history_phases(s["workflowId"], a.address, a.latency_ms)
                log("cold run %d/%d %-8s %-10s makespan %5.0f ms  ratio %.3f  wall %5.0f ms"
                    % (i + 1, a.runs, name, b, s["makespan_ms"],
                       s["makespan_ms"] / (chain * a.latency_ms), s["wall_ms"]))
    log("warm JVM: %d warm-up rounds + %d rounds of every team on both backends in one JVM"
        % (a.warmup, a.runs))
    for name, b, s in warm_series(teams, a.latency_ms, address, a.warmup + a.runs, a.warmup):
        samples["warm"][name][b].append(s)
        if b == "dev server":
            phases["warm"] += history_phases(s["workflowId"], a.address, a.latency_ms)
        log("warm run %-8s %-10s makespan %5.0f ms  ratio %.3f"
            % (name, b, s["makespan_ms"], s["makespan_ms"] / (teams[name][1] * a.latency_ms)))
    model = None
    if a.model_url:
        model = realmodel.series(run_once, a.model_team, a.model_url, a.model_runs, log)
    load_after = loadavg()

    info = machine()
    text = render(teams, samples, phases, model, a.latency_ms, a.runs, a.warmup, info, load_before,
                  load_after, a.command)
    out_dir = os.path.join(ROOT, "bench", "out")
    os.makedirs(out_dir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    with open(os.path.join(out_dir, "results-%s.json" % stamp), "w") as f:
        json.dump({"machine": info, "latency_ms": a.latency_ms, "runs": a.runs,
                   "teams": {t: {"file": v[0], "longest_chain": v[1]} for t, v in teams.items()},
                   "samples": samples, "dev_server_phases": phases,
                   "real_model": model, "warmup": a.warmup, "load_before": load_before,
                   "load_after": load_after, "command": a.command}, f, indent=1)
    with open(os.path.join(out_dir, "results-%s.md" % stamp), "w") as f:
        f.write(text)
    print(text)
    log("raw samples: bench/out/results-%s.json" % stamp)
    if a.write:
        write_doc(a.write, text, "results")


if __name__ == "__main__":
    main()
