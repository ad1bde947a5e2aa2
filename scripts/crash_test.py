#!/usr/bin/env python3
"""Crash test: SIGKILL `sanbao serve` (SQLite) again and again while clients create cases.

Every case the server acknowledged (201 with its number) must be in the database afterwards; the
database's integrity check and `sanbao audit verify` must pass. Exits 1 otherwise. Bounded in
time: each round runs the load for about a second before the kill.

    python3 scripts/crash_test.py [--kills 20] [--clients 8]

Uses target/debug/sanbao unless SANBAO_BIN names another build. Only talks to 127.0.0.1.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_http import ROOT, first_answer, free_port  # noqa: E402

BIN = os.environ.get("SANBAO_BIN") or os.path.join(ROOT, "target", "debug", "sanbao")


def client(port, token, tid, stop, acked, errors):
    n = 0
    while not stop.is_set():
        n += 1
        body = json.dumps({
            "kind": "complaint", "channel": "phone",
            "customer": {"name": "断电测试", "phone": f"137{tid:02d}{n:06d}"},
            "subject": "屏幕漏液", "description": "断电测试：屏幕漏液",
        }).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cases", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 201:
                    acked.append(json.loads(r.read())["number"])
        except urllib.error.HTTPError as e:
            if e.code >= 500:
                errors.append(e.code)
        except (OSError, ValueError):
            time.sleep(0.01)  # the server is down: wait for the next round


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"build first: cargo build -p sanbao ({BIN})")
    data = tempfile.mkdtemp(prefix="sanbao-crash-")
    env = dict(os.environ, SANBAO_LOG_LEVEL="warn")
    env.pop("SANBAO_DATABASE_URL", None)
    dd = ["--data-dir", data]
    try:
        subprocess.run([BIN, "migrate", *dd], check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run([BIN, "admin", "create-user", *dd, "--username", "crashagent", "--password",
                        "Crash-Passw0rd-1", "--role", "complaint_officer"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        token = subprocess.run([BIN, "admin", "create-token", *dd, "--username", "crashagent"],
                               check=True, capture_output=True, text=True, env=env
                               ).stdout.strip().splitlines()[-1]
        acked, errors = [], []
        started = time.time()
        for i in range(args.kills):
            port = free_port()
            p = subprocess.Popen([BIN, "serve", *dd, "--listen", f"127.0.0.1:{port}"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            first_answer(port, timeout=30)
            stop = threading.Event()
            threads = [threading.Thread(target=client, args=(port, token, i * 100 + t, stop, acked, errors))
                       for t in range(args.clients)]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.5, 1.5))
            p.send_signal(signal.SIGKILL)
            p.wait()
            stop.set()
            for t in threads:
                t.join()
        db = sqlite3.connect(os.path.join(data, "sanbao.db"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {r[0] for r in db.execute("SELECT number FROM service_case")}
        db.close()
        missing = [n for n in acked if n not in stored]
        verify = subprocess.run([BIN, "audit", "verify", *dd], capture_output=True, text=True, env=env)
        print(f"{args.kills} SIGKILLs in {time.time() - started:.0f} s: {len(acked)} cases acknowledged, "
              f"{len(stored)} stored, {len(missing)} missing, {len(errors)} server errors")
        print(f"integrity_check: {integrity}; audit verify: {verify.stdout.strip()}")
        ok = not missing and not errors and integrity == "ok" and verify.returncode == 0 and acked
        if not ok:
            if missing:
                print("missing:", missing[:10])
            sys.exit(1)
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
