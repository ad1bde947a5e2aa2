#!/usr/bin/env python3
"""Agent pages at scale (figures for BENCHMARKS.md): the queue page, a Chinese word search and
a case page, the agent's and the supervisor's workbench, the customer list and the intake
form's customer lookup, on a database filled by `sanbao bench-data`.

Starts a release `sanbao serve` on the given database, logs in as the demo agent 张伟
(zhangwei), and drives each page with wrk at a few connections, as agents use it: latency,
not saturation, is the figure. Prints p50/p99 per page and the server's RSS afterwards.
Only talks to 127.0.0.1.

    cargo build --release
    target/release/sanbao bench-data --data-dir /tmp/sanbao-1m --cases 1000000
    python3 scripts/bench_reads.py --data-dir /tmp/sanbao-1m
    # PostgreSQL: bench-data and this script with --database postgres://…/sanbao_bench
"""
import argparse
import http.cookiejar
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_http import BIN, first_answer, free_port, rss_kib  # noqa: E402

DEMO_PASSWORD = "sanbao-demo-2026"

LUA = r'''
local i = 0
request = function()
  i = i + 1
  local path = PATHS[(i % #PATHS) + 1]
  return wrk.format("GET", path, {["Cookie"] = COOKIE})
end
'''


def login(base, username):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = op.open(base + "/login").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"_csrf": csrf, "next": "/", "username": username,
                                   "password": DEMO_PASSWORD}).encode()
    req = urllib.request.Request(base + "/login", data=body, headers={"Origin": base})
    op.open(req).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--database", help="postgres://… (default: the data dir's SQLite file)")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, SANBAO_LOG_LEVEL="warn")
    cmd = [BIN, "serve", "--data-dir", args.data_dir, "--listen", f"127.0.0.1:{port}"]
    if args.database:
        cmd += ["--database", args.database]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        first_answer(port, timeout=60)
        cookie = login(base, "zhangwei")
        supervisor = login(base, "zhaolei")
        op = urllib.request.build_opener()
        op.addheaders = [("Cookie", cookie)]
        queue = op.open(base + "/cases?queue=mine").read().decode()
        numbers = sorted(set(re.findall(r'href="/cases/([A-Z]{2}-\d{4}-\d{6})"', queue)))
        if not numbers:
            sys.exit("the agent's queue is empty: run sanbao bench-data first")
        # Cases from all over the year, not only the first page of the queue.
        for q in ["/cases?queue=all&state=closed", "/cases?queue=desk&state=resolved"]:
            numbers += re.findall(r'href="/cases/([A-Z]{2}-\d{4}-\d{6})"',
                                  op.open(base + q).read().decode())
        scenarios = [
            ("queue page 我的服务单 (/cases?queue=mine)", ["/cases?queue=mine"]),
            ("queue page 本部门, next pages", ["/cases?queue=desk", "/cases?queue=unassigned",
                                              "/cases?queue=due_soon", "/cases?queue=breached"]),
            ("search 退货 / 漏水 / 噪音", ["/cases?q=" + urllib.parse.quote(w)
                                         for w in ["退货", "漏水", "噪音", "屏幕 漏液"]]),
            ("case page (/cases/{number})", [f"/cases/{n}" for n in sorted(set(numbers))[:200]]),
            ("workbench of the agent 张伟 (/)", ["/"]),
            ("workbench of the supervisor 赵磊 (/: desk by case, reports)", ["/"], supervisor),
            ("customer list, first page and by name (/customers)",
             ["/customers", "/customers?q=" + urllib.parse.quote("王")]),
            ("intake customer lookup (/cases/customers?q=…: name, phone start)",
             ["/cases/customers?q=" + urllib.parse.quote(w) for w in ["王", "李", "135", "1890"]]),
        ]
        print(f"{'PostgreSQL' if args.database else 'SQLite'}, {args.connections} connections, "
              f"{args.duration} s each, logged in as 张伟 (service agent)")
        with tempfile.TemporaryDirectory() as tmp:
            for name, paths, *who in scenarios:
                who = who[0] if who else cookie
                check = urllib.request.build_opener()
                check.addheaders = [("Cookie", who)]
                for path in paths:
                    code = check.open(base + path).status
                    assert code == 200, (path, code)
                lua = os.path.join(tmp, "s.lua")
                with open(lua, "w") as f:
                    f.write(f'COOKIE = "{who}"\nPATHS = {{' +
                            ", ".join(f'"{x}"' for x in paths) + "}\n" + LUA)
                out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s",
                                      "--latency", "-s", lua, base + "/"],
                                     capture_output=True, text=True, check=True).stdout
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
                p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
                bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                print(f"  {name}: {rps:,.0f} req/s, p50 {p50}, p99 {p99}"
                      + (f", non-2xx {bad.group(1)}" if bad else ""))
        print(f"  RSS after the load: {rss_kib(p.pid) / 1024:.1f} MiB")
    finally:
        p.terminate()
        p.wait()


if __name__ == "__main__":
    main()
