#!/usr/bin/env python3
"""Times integration runs from a joined clone: one-file pushes, each from the start of `git push`
to its sync.integrated read from the room's event stream. Prints the median in ms (one number)
and checks that each run was reviewed as expected.

usage: review_measure.py <clone> <pushes> <expected reviewer: none|server|webhook|peer>
Used by review.sh."""

import json
import statistics
import subprocess
import sys
import time

clone, pushes, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ENDS = {"sync.integrated", "sync.check_failed", "sync.merge_conflict", "integration.skipped",
        "integration.error", "sync.review_failed"}

follow = subprocess.Popen(["git-knot", "log", "--follow", "--json", "-n", "0"], cwd=clone,
                          stdout=subprocess.PIPE, text=True)


def wait_for(match, deadline=120.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        line = follow.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            event = json.loads(line)
            if match(event):
                return event, time.monotonic()
    sys.exit("review_measure.py: no matching event within %.0f s" % deadline)


def git(*args):
    return subprocess.run(["git", *args], cwd=clone, check=True, capture_output=True,
                          text=True).stdout.strip()


def one_push(i):
    with open(f"{clone}/bench-{expected}.txt", "a") as out:
        out.write(f"change {i}\n")
    git("add", "-A")
    git("commit", "-q", "-m", f"{expected} change {i}")
    commit = git("rev-parse", "HEAD")
    t_push = time.monotonic()
    subprocess.run(["git", "push", "-q", "knot", "main"], cwd=clone, check=True)
    pushed, _ = wait_for(lambda e: e["type"] == "sync.pushed" and e["data"].get("new") == commit)
    run = pushed["data"]["run"]
    ended, t_end = wait_for(lambda e: e["type"] in ENDS and e["data"].get("run") == run)
    if ended["type"] != "sync.integrated":
        sys.exit("review_measure.py: run %d ended with %s" % (run, ended["type"]))
    review = ended["data"].get("review", {})
    reviewer = review.get("reviewer", "")
    seen = ("none" if "id" not in review else
            "server" if reviewer == "the server's model" else
            "webhook" if reviewer == "webhook" else
            "peer" if reviewer.startswith("peer ") else reviewer)
    if seen != expected:
        sys.exit("review_measure.py: run %d was reviewed by %r, not %s" % (run, reviewer, expected))
    return (t_end - t_push) * 1000.0


one_push(0)  # warm-up
times = [one_push(i) for i in range(1, pushes + 1)]
follow.terminate()
print("%.1f" % statistics.median(times))
