#!/usr/bin/env python3
"""Summarises where a Java process spent its CPU, from a JDK Flight Recorder file.

    ARK_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/ark.jfr,settings=profile" \\
        ./ark run bench/diamond.yaml --input '{"topic": "queues"}' --mock-latency 500ms -o json
    bench/jfr_summary.py /tmp/ark.jfr

Reads `jfr print --json --events jdk.ExecutionSample` (a sample of a thread running Java code
every 10-20 ms) and prints, per thread group and per activity, the share of samples. A sample is
class loading (or lambda bootstrap, or jar reading) when any frame of its stack is; otherwise it
belongs to the library of the top-most frame that matches one (JSON, YAML, gRPC, the Temporal SDK,
...). Python 3 standard library only.
"""

import collections
import json
import re
import subprocess
import sys

# (label, regular expression on "class.method" of a frame): the first three anywhere in the stack,
# the rest for the top-most frame that matches.
MARKERS = (
    ("class loading / linking (incl. bytecode verification)",
     r"^(java\.lang\.ClassLoader\.|jdk\.internal\.loader\.|java\.net\.URLClassLoader|"
     r"java\.lang\.Class\.forName|java\.lang\.Class\.getDeclared)"),
    ("lambda / method-handle bootstrap", r"^java\.lang\.invoke\.|^jdk\.internal\.org\.objectweb\.asm\."),
    ("zip / jar reading", r"^(java\.util\.zip\.|java\.util\.jar\.|jdk\.internal\.util\.jar\.)"),
    ("JSON (Jackson)", r"^com\.fasterxml\.jackson\."),
    ("YAML (SnakeYAML)", r"^org\.yaml\."),
    ("protobuf", r"^com\.google\.protobuf\."),
    ("gRPC / Netty", r"^io\.grpc\."),
    ("Temporal SDK", r"^io\.temporal\.(?!testing|internal\.testservice)"),
    ("Temporal in-process server", r"^io\.temporal\.(testing|internal\.testservice)"),
    ("langchain4j", r"^dev\.langchain4j\."),
    ("fabric8 / Kubernetes model", r"^io\.fabric8\."),
    ("picocli", r"^picocli\."),
    ("logging", r"^(ch\.qos\.logback|org\.slf4j)\."),
    ("metrics (Micrometer / tally)", r"^(io\.micrometer|com\.uber\.m3)\."),
    ("OpenTelemetry", r"^io\.opentelemetry\."),
    ("ark", r"^dev\.arkonis\."),
)


def frames(event):
    for f in event["values"]["stackTrace"]["frames"]:
        m = f["method"]
        yield m["type"]["name"].replace("/", ".") + "." + m["name"]


def activity(event):
    stack = list(frames(event))
    for label, pattern in MARKERS[:3]:
        if any(re.search(pattern, frame) for frame in stack):
            return label
    for frame in stack:
        for label, pattern in MARKERS[3:]:
            if re.search(pattern, frame):
                return label
    return "other: " + (stack[0].rsplit(".", 2)[0] if stack else "?")


def thread_group(name):
    name = re.sub(r"[-: ]?\d+$", "", name or "?")
    name = re.sub(r"\d+", "N", name)
    return name


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench/jfr_summary.py FILE.jfr")
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "500", "--events", "jdk.ExecutionSample", sys.argv[1]],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    total = len(events)
    if not total:
        sys.exit("no execution samples in " + sys.argv[1])
    by_thread = collections.Counter(thread_group(e["values"]["sampledThread"]["javaName"]) for e in events)
    by_activity = collections.Counter(activity(e) for e in events)
    print("%d execution samples\n" % total)
    print("| thread | share of samples |\n|---|---|")
    for name, n in by_thread.most_common(8):
        print("| `%s` | %.0f %% |" % (name, 100.0 * n / total))
    print("\n| activity | share of samples |\n|---|---|")
    for name, n in by_activity.most_common(12):
        print("| %s | %.0f %% |" % (name, 100.0 * n / total))
    # which ark method the main thread was in (the ark frame nearest the top of its stack)
    main_samples = [e for e in events if e["values"]["sampledThread"]["javaName"] == "main"]
    by_ark = collections.Counter(
        next((f.rsplit(".", 2)[-2] + "." + f.rsplit(".", 1)[-1] for f in frames(e)
              if f.startswith("dev.arkonis.") and "$$Lambda" not in f), "(no ark frame)")
        for e in main_samples)
    print("\n| main thread: innermost ark method | share of main-thread samples |\n|---|---|")
    for name, n in by_ark.most_common(12):
        print("| `%s` | %.0f %% |" % (name, 100.0 * n / max(1, len(main_samples))))


if __name__ == "__main__":
    main()
