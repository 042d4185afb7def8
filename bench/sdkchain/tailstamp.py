#!/usr/bin/env python3
"""Stamps a node's log as it grows, for bench/sdkchain/replay.sh: reads what is new in LOG every
10 ms (it never sits on the node's pipe, so the node's writes wake nobody) and writes
"<height> <epoch seconds>" to OUT for the first "committed state ... height=N" line of each
height (simd's own per-block line), with the time it was first seen, and "R <epoch seconds>
<line>" for each line Replayer writes itself (module=replayer: stop, snapshot, pre-upgrade,
launch). Runs until SIGTERM, then reads the rest once more and exits. The same watcher serves
both modes, so both get the same resolution (~10 ms).

usage: tailstamp.py LOG OUT
"""
import os
import re
import signal
import sys
import time

log_path, out_path = sys.argv[1], sys.argv[2]
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
pattern = re.compile(rb"committed state .*?\bheight=(\d+)")
own = re.compile(rb"(?:INF|WRN|ERR) (.*) module=replayer")
while not os.path.exists(log_path) and not stop:
    time.sleep(0.01)
f = open(log_path, "rb")
out = open(out_path, "w")
seen = set()
partial = b""
while True:
    last_round = stop
    data = f.read()
    if data:
        now = time.time()
        lines = (partial + data).split(b"\n")
        partial = lines.pop()
        for line in lines:
            m = pattern.search(line)
            if m and int(m.group(1)) not in seen:
                h = int(m.group(1))
                seen.add(h)
                out.write(f"{h} {now:.4f}\n")
                continue
            r = own.search(line)
            if r:
                out.write(f"R {now:.4f} {r.group(1)[:160].decode(errors='replace')}\n")
    if last_round:
        break
    time.sleep(0.01)
out.close()
