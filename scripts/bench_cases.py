#!/usr/bin/env python3
"""Case creation through the API under concurrent clients (figures for BENCHMARKS.md).

Starts a release `sanbao serve` on a temporary SQLite data directory, makes an API token,
drives POST /api/v1/cases with wrk (each request a new customer), then checks that every
acknowledged case is stored. Only talks to 127.0.0.1.

    cargo build --release && python3 scripts/bench_cases.py [--duration 10] [--connections 32]
    # PostgreSQL: an empty database that the script may fill (it is dropped and re-created)
    python3 scripts/bench_cases.py --database postgres://postgres@127.0.0.1:5432/sanbao_bench_cases
"""
import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_http import BIN, first_answer, free_port, rss_kib, start  # noqa: E402

LUA = r'''
local counter = 0
local thread_id = 0
setup = function(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
request = function()
  counter = counter + 1
  local phone = string.format("139%02d%06d", tid, counter)
  local body = '{"kind":"complaint","channel":"phone","customer":{"name":"压测客户","phone":"' .. phone ..
    '"},"subject":"屏幕漏液","description":"我要退货，屏幕漏液"}'
  return wrk.format("POST", "/api/v1/cases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. TOKEN,
  }, body)
end
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--database", help="postgres://… database to drop, re-create and use")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    data = tempfile.mkdtemp(prefix="sanbao-bench-cases-")
    port = free_port()
    db = ["--database", args.database] if args.database else []
    if args.database:
        server, name = args.database.rsplit("/", 1)
        for sql in [f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"']:
            subprocess.run(["psql", server + "/postgres", "-qc", sql], check=True)
    try:
        subprocess.run([BIN, "migrate", "--data-dir", data] + db, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([BIN, "admin", "create-user", "--data-dir", data, "--username", "benchagent",
                        "--password", "Bench-Passw0rd-1", "--role", "complaint_officer"] + db,
                       check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([BIN, "admin", "create-token", "--data-dir", data, "--username", "benchagent"] + db,
                             check=True, capture_output=True, text=True).stdout
        token = out.strip().splitlines()[-1]
        lua = os.path.join(data, "cases.lua")
        with open(lua, "w") as f:
            f.write(f'TOKEN = "{token}"\n' + LUA)
        p = start(data, port, db)
        first_answer(port)
        cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", lua,
               f"http://127.0.0.1:{port}/api/v1/cases"]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        rss = rss_kib(p.pid) / 1024
        p.terminate()
        p.wait()
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", res).group(1))
        p99 = re.search(r"99%\s+([\d.]+\w+)", res).group(1)
        p50 = re.search(r"50%\s+([\d.]+\w+)", res).group(1)
        total = int(re.search(r"(\d+) requests in", res).group(1))
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", res)
        bad = int(bad.group(1)) if bad else 0
        errors = re.search(r"Socket errors: (.*)", res)
        if args.database:
            stored = int(subprocess.run(["psql", args.database, "-tAc", "SELECT COUNT(*) FROM service_case"],
                                        check=True, capture_output=True, text=True).stdout)
            backend = "PostgreSQL"
        else:
            stored = sqlite3.connect(os.path.join(data, "sanbao.db")).execute(
                "SELECT COUNT(*) FROM service_case").fetchone()[0]
            backend = "SQLite, synchronous=FULL"
        print(f"POST /api/v1/cases, {args.connections} connections, {args.duration} s ({backend})")
        print(f"  {rps:,.0f} cases/s, p50 {p50}, p99 {p99}, non-2xx {bad}"
              + (f", socket errors: {errors.group(1)}" if errors else ""))
        print(f"  requests answered {total}, cases stored {stored} "
              f"({'every acknowledged case present' if stored >= total - bad else 'MISSING CASES'})")
        print(f"  RSS after the load: {rss:.1f} MiB")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
