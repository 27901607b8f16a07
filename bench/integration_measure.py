#!/usr/bin/env python3
"""Times the integration agent from a joined clone: one-file pushes, each run timed by the server
(its recorded duration) and from `git push` returning to its sync.integrated read from the
room's event stream, beside `git merge-tree --write-tree` on the same two commits in the
server's repository.

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


# git-knot itself, not `git knot`: terminating git would leave its git-knot child following.
follow = subprocess.Popen(["git-knot", "log", "--follow", "--json", "-n", "0"], cwd=clone,
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
    t_push = time.monotonic()  # the server has accepted the push and queued its run
    pushed, _ = wait_for(lambda e: e["type"] == "sync.pushed" and
                                e["data"].get("new") == commit)
    run = pushed["data"]["run"]
    ended, t_ended = wait_for(lambda e: e["type"] in ENDS and e["data"].get("run") == run)
    if ended["type"] != "sync.integrated":
        sys.exit("integration_measure.py: run %d ended with %s: %s" %
                 (run, ended["type"], ended["data"].get("summary")))
    return run, ended, (t_ended - t_push) * 1000.0


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


def main():
    # Warm-up: one untimed push (the server's caches, the first merge).
    push_and_wait(change_and_commit(0))
    print("%-5s %-9s %10s %12s %16s %13s" %
          ("run", "commit", "merge", "run total", "push->integrated", "merge-tree"))
    totals, latencies, baselines = [], [], []
    for i in range(1, pushes + 1):
        commit = change_and_commit(i)
        run, ended, latency = push_and_wait(commit)
        detail = json.loads(git("knot", "check", "--history", "--json", "-n", "1"))["runs"][0]
        baseline = merge_tree_ms(ended["data"]["previous"], commit)
        totals.append(detail["duration_ms"])
        latencies.append(latency)
        baselines.append(baseline)
        print("%-5d %-9s %7d ms %9d ms %13.1f ms %10.1f ms" %
              (run, commit[:7], detail["detail"].get("merge_ms", -1), detail["duration_ms"],
               latency, baseline))

    m_total = statistics.median(totals)
    m_latency = statistics.median(latencies)
    m_baseline = statistics.median(baselines)
    print()
    print("run total: merge, record, advance and the event, timed by the server; push->integrated:"
          "\nfrom `git push knot` returning to sync.integrated read from the stream by the client")
    print("median run total:                              %5.1f ms" % m_total)
    print("median push->integrated:                       %5.1f ms (aim < 50 ms: %s)" %
          (m_latency, "met" if max(m_latency, m_total) < 50 else "NOT met"))
    print("median git merge-tree --write-tree, same commits: %5.1f ms" % m_baseline)
    print("ratio run total / git merge-tree: %.2fx; push->integrated / git merge-tree: %.2fx" %
          (m_total / m_baseline, m_latency / m_baseline))


try:
    main()
finally:  # a follower left behind would keep reconnecting to a stopped server
    follow.terminate()
