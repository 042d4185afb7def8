"""Checks `replayer status --json` (stdin) of a node after one upgrade: `current` is the
upgrade's folder, exactly that one upgrade was applied, at its height, and none is in progress.
Usage: check_status.py NAME HEIGHT  (exit 1 with the reason otherwise)"""
import json
import sys

name, height = sys.argv[1], int(sys.argv[2])
s = json.load(sys.stdin)
cur = s["current"]
problems = []
if not cur.get("target", "").endswith("upgrades/" + name):
    problems.append("current is %s, not upgrades/%s" % (cur, name))
applied = [(a["name"], a["height"]) for a in s["applied"]]
if applied != [(name, height)]:
    problems.append("applied upgrades %s, expected exactly [(%s, %d)]" % (applied, name, height))
if s["in_progress"] is not None:
    problems.append("an upgrade is in progress: %s" % s["in_progress"])
if problems:
    sys.exit("; ".join(problems))
