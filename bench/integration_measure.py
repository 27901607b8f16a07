#!/usr/bin/env python3
"""Times the integration agent from a joined clone: one-file pushes, each followed on the room's
event stream from its sync.pushed to the sync.integrated that ends its run, beside
`git merge-tree --write-tree` on the same two commits in the server's repository.

usage: integration_measure.py <clone> <server-repo> <pushes> <file-to-change>
Prints one line per push, then the medians and the ratio. Used by integration.sh."""

import json
import statistics
import subprocess
import sys
import time

clone, server_repo, pushes, target = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ENDS = {"sync.integrated", "sync.check_failed", "sync.merge_conflict", "integration.skipped",
        "integration.error", "sync.review_failed"}


def git(*args, cwd=clone):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


follow = subprocess.Popen(["git", "knot", "log", "--follow", "--json", "-n", "0"], cwd=clone,
                          stdout=subprocess.PIPE, text=True)


def wait_for(match, deadline=120.0):
    """The next event for which match(event) holds, with the time its line arrived."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        line = follow.stdout.readline()
        if not line:
            break
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if match(event):
            return event, time.monotonic()
    sys.exit("integration_measure.py: no matching event within %.0f s" % deadline)


def push_and_wait(commit):
    subprocess.run(["git", "push", "-q", "knot", "main"], cwd=clone, check=True)
    pushed, t_pushed = wait_for(lambda e: e["type"] == "sync.pushed" and
                                e["data"].get("new") == commit)
    run = pushed["data"]["run"]
    ended, t_ended = wait_for(lambda e: e["type"] in ENDS and e["data"].get("run") == run)
    if ended["type"] != "sync.integrated":
        sys.exit("integration_measure.py: run %d ended with %s: %s" %
                 (run, ended["type"], ended["data"].get("summary")))
    return run, ended, (t_ended - t_pushed) * 1000.0


def merge_tree_ms(ours, theirs, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.monotonic()
        subprocess.run(["git", "--git-dir=" + server_repo, "merge-tree", "--write-tree", ours,
                        theirs], check=True, capture_output=True)
        times.append((time.monotonic() - t0) * 1000.0)
    return statistics.median(times)


def change_and_commit(i):
    with open(f"{clone}/{target}", "a") as out:
        out.write(f"change {i}\n")
    git("commit", "-q", "-a", "-m", f"change {i}")
    return git("rev-parse", "HEAD")


# Warm-up: one untimed push (the server's caches, the first merge).
push_and_wait(change_and_commit(0))
print("%-5s %-9s %14s %12s %12s %12s %14s" %
      ("run", "commit", "pushed->done", "merge", "advance", "run total", "merge-tree"))
overheads, totals, baselines = [], [], []
for i in range(1, pushes + 1):
    commit = change_and_commit(i)
    before = git("rev-parse", "refs/knot/integration") if i == 1 else previous
    run, ended, overhead = push_and_wait(commit)
    detail = json.loads(git("knot", "check", "--history", "--json", "-n", "1"))["runs"][0]
    baseline = merge_tree_ms(ended["data"]["previous"], commit)
    previous = ended["data"]["integration"]
    overheads.append(overhead)
    totals.append(detail["duration_ms"])
    baselines.append(baseline)
    print("%-5d %-9s %11.1f ms %9d ms %9d ms %9d ms %11.1f ms" %
          (run, commit[:7], overhead, detail["detail"].get("merge_ms", -1),
           detail["detail"].get("advance_ms", -1), detail["duration_ms"], baseline))
follow.terminate()

m_overhead = statistics.median(overheads)
m_baseline = statistics.median(baselines)
print()
print("median integration overhead (sync.pushed seen -> sync.integrated seen): %.1f ms "
      "(aim < 50 ms: %s)" % (m_overhead, "met" if m_overhead < 50 else "NOT met"))
print("median run time recorded by the server (merge, record, advance):      %.1f ms" %
      statistics.median(totals))
print("median git merge-tree --write-tree on the same commits:               %.1f ms" %
      m_baseline)
print("ratio knot integration / git merge-tree: %.2fx" % (m_overhead / m_baseline))
