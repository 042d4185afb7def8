#!/usr/bin/env python3
"""The DIRECT mode of bench/sdkchain/replay.sh: the segments of a replay run by hand, as an
operator's script would, with no Replayer: for each segment `<binary> start --home H
--log_no_color [--halt-height X]`, output appended to LOG; the script watches the file (reads
what is new every 10 ms, as Replayer polls its node's pipes) for the line that ends the segment
and then SIGKILLs the node's process group (Replayer's default stop: no shutdown grace), or takes
the node's own exit (CometBFT's block sync exits right after "halt per configuration"):

  --segment BIN:plan:NAME       ends at x/upgrade's `UPGRADE "NAME" NEEDED` line
  --segment BIN:halt:H          started with --halt-height H, ends at "halt per configuration"

A segment that exits without its end line, or runs 600 s, fails the run (exit 1). Prints one
JSON object: wall time from the first start to the last exit, and per segment the start and end
(epoch seconds).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--home", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--segment", action="append", required=True)
args = ap.parse_args()

procs = []


def stop_all(*_):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    sys.exit(130)


signal.signal(signal.SIGTERM, stop_all)
signal.signal(signal.SIGINT, stop_all)

log = open(args.log, "ab")
reader = open(args.log, "rb")
segments = []
t_start = time.time()
for spec in args.segment:
    binary, kind, what = spec.split(":", 2)
    cmd = [binary, "start", "--home", args.home, "--log_no_color"]
    if kind == "halt":
        cmd += ["--halt-height", what]
        end_line = b"halt per configuration"
    elif kind == "plan":
        end_line = b'UPGRADE "' + what.encode() + b'" NEEDED'
    else:
        sys.exit(f"direct: unknown segment kind {kind!r} in {spec!r}")
    reader.seek(0, os.SEEK_END)
    t0 = time.time()
    # Its own process group in this session, as Replayer starts its node (posix_spawn
    # SETPGROUP), not a session of its own: with sched_autogroup a new session is a scheduling
    # group of its own and would get its own share of the CPU on a loaded machine.
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         process_group=0)
    procs.append(p)
    tail, seen, killed = b"", False, False
    while True:
        chunk = reader.read()
        if chunk:
            buf = tail + chunk
            if end_line in buf:
                seen = True
            tail = buf[-200:]
        if seen:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                killed = True
            p.wait()
            break
        if p.poll() is not None:
            chunk = reader.read()  # the node's last lines, written before it exited
            if end_line in tail + chunk:
                seen = True
                break
            sys.exit(f"direct: {os.path.basename(binary)} exited with {p.returncode} before "
                     f"{end_line.decode()!r} (see {args.log})")
        if time.time() - t0 > 600:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            sys.exit(f"direct: {os.path.basename(binary)} ran 600 s without {end_line.decode()!r}")
        time.sleep(0.01)
    segments.append({"binary": os.path.basename(binary), "end": kind, "start": t0,
                     "exit": time.time(), "killed": killed, "rc": p.returncode})
t_end = time.time()
print(json.dumps({"wall": t_end - t_start, "start": t_start, "end": t_end, "segments": segments}))
