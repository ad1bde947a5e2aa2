#!/usr/bin/env python3
"""Sold units at scale (figures for BENCHMARKS.md): importing units from CSV, and the
warranty lookup by serial among millions of units.

1. Writes a catalogue of 20 models and sales files of 1,000,000 units each (every third unit a
   new customer, the rest repeat customers; Excel-style dates 2026/2/13).
2. Times `sanbao import units` on a file with 1,000 bad rows among 1,000,000 (it must refuse
   the whole file and name the rows: nothing half-imported), then on the good files.
3. Serves the database and drives GET /api/v1/units/{serial} with wrk at a few connections
   (random serials across all units): p50/p99.

Needs `cargo build --release` and wrk. Only talks to 127.0.0.1.

    python3 scripts/bench_units.py --data-dir /tmp/sanbao-units --files 5
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_http import BIN, first_answer, free_port, rss_kib  # noqa: E402

ROWS = 1_000_000
MODELS = [f"KF-{i:02d}GW" for i in range(20)]

LUA = r'''
math.randomseed(os.time())
request = function()
  local f = math.random(0, FILES - 1)
  local i = math.random(0, ROWS - 1)
  return wrk.format("GET", string.format("/api/v1/units/SN%d-%07d", f, i),
                    {["Authorization"] = "Bearer " .. TOKEN})
end
'''


def units_csv(path, file_no, bad=0):
    with open(path, "w", encoding="utf-8") as f:
        f.write("序列号,型号,客户,电话,销售日期,交付日期,发票号\n")
        for i in range(ROWS):
            phone = f"13{file_no}{(i // 3) % 100_000_000:08d}"[:11]
            m, d = 1 + i % 11, 1 + i % 28
            model = MODELS[i % len(MODELS)]
            date = f"2026/{m}/{d}"
            if bad and i % (ROWS // bad) == 7:
                date = "2026/13/40"
            f.write(f"SN{file_no}-{i:07d},{model},客户{i // 3},{phone},{date},{date},"
                    f"FP{file_no}{i // 5:07d}\n")


def run(cmd, env):
    started = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.monotonic() - started, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--files", type=int, default=5, help="sales files of 1,000,000 units")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--lookup-only", action="store_true",
                    help="skip the imports: measure the lookup on a data dir filled before")
    args = ap.parse_args()
    env = dict(os.environ, SANBAO_LOG_LEVEL="warn")
    base = [BIN, "--data-dir", args.data_dir]
    if not args.lookup_only:
        imports(args, base, env)
    lookup(args, base, env)


def imports(args, base, env):
    with tempfile.TemporaryDirectory() as tmp:
        cat = os.path.join(tmp, "products.csv")
        with open(cat, "w", encoding="utf-8") as f:
            f.write("型号,产品名称,保修期（月）,追溯方式\n")
            for m in MODELS:
                f.write(f"{m},空调 {m},36,按序列号\n")
        subprocess.run(base + ["import", "products", cat], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        bad = os.path.join(tmp, "bad.csv")
        units_csv(bad, 9, bad=1000)
        secs, r = run(base + ["import", "units", bad], env)
        reported = r.stderr.count("row[")
        print(f"import of {ROWS:,} rows with 1,000 bad: refused in {secs:.1f} s, "
              f"exit {r.returncode}, {reported} rows listed"
              + (f", {m.group(1)} more counted" if (m := re.search(r"另有 (\d+)", r.stderr)) else ""))
        assert r.returncode == 1
        for n in range(args.files):
            path = os.path.join(tmp, f"units{n}.csv")
            units_csv(path, n)
            secs, r = run(base + ["import", "units", path], env)
            assert r.returncode == 0, r.stderr[-2000:]
            print(f"import of file {n + 1} ({ROWS:,} units): {secs:.1f} s "
                  f"({ROWS / secs:,.0f} rows/s)")
            os.remove(path)


def lookup(args, base, env):
    subprocess.run(base + ["admin", "create-user", "--username", "benchadmin",
                                 "--password", "Bench-Passw0rd-1", "--role", "admin"],
                   capture_output=True, text=True, env=env)
    out = subprocess.run(base + ["admin", "create-token", "--username", "benchadmin"],
                         capture_output=True, text=True, env=env, check=True)
    token = out.stdout.strip().splitlines()[-1].strip()
    port = free_port()
    p = subprocess.Popen(base + ["serve", "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        first_answer(port, timeout=60)
        url = f"http://127.0.0.1:{port}"
        req = urllib.request.Request(url + "/api/v1/units/SN0-0000042",
                                     headers={"Authorization": f"Bearer {token}"})
        unit = json.loads(urllib.request.urlopen(req).read())
        assert unit["serial"] == "SN0-0000042", unit
        with tempfile.TemporaryDirectory() as tmp:
            lua = os.path.join(tmp, "u.lua")
            with open(lua, "w") as f:
                f.write(f'TOKEN = "{token}"\nFILES = {args.files}\nROWS = {ROWS}\n' + LUA)
            # One wrk thread: on two cores a second one takes the server's CPU and measures
            # the scheduler, not the lookup.
            for conns in (1, 4):
                out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{args.duration}s",
                                      "--latency", "-s", lua, url + "/"],
                                     capture_output=True, text=True, check=True).stdout
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
                p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
                bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                print(f"warranty lookup by serial among {args.files * ROWS:,} units "
                      f"(GET /api/v1/units/{{serial}}, {conns} connection(s)): "
                      f"{rps:,.0f} req/s, p50 {p50}, p99 {p99}"
                      + (f", non-2xx {bad.group(1)}" if bad else ""))
        print(f"  RSS after the load: {rss_kib(p.pid) / 1024:.1f} MiB")
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
