#!/usr/bin/env python3
"""HTTP benchmarks of a release `sanbao serve` (figures for BENCHMARKS.md).

Measures: binary size; time from process start to the first answered request on an existing
database; idle RSS; GET /healthz requests/s with 32 connections; login (argon2) requests/s.
Needs `cargo build --release` and wrk (Debian package `wrk`). Only talks to 127.0.0.1.

    python3 scripts/bench_http.py [--duration 10]

SANBAO_BIN=/path/to/sanbao measures another build (`bench-data` needs
`cargo build --release --features bench-data`).
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The binary measured: a release build of this tree, or another given as SANBAO_BIN (to
# measure two builds side by side on the same machine).
BIN = os.environ.get("SANBAO_BIN") or os.path.join(ROOT, "target", "release", "sanbao")
USER, PASSWORD = "benchuser", "Bench-Passw0rd-1"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(data_dir, port, extra=()):
    # Eight connections log one account in at once: the login limits (which count attempts in
    # flight) are raised so that the figure is the hashing, not the throttle.
    env = dict(os.environ, SANBAO_LOG_LEVEL="warn", SANBAO_LOGIN_MAX_FAILURES_PER_ACCOUNT="100000",
               SANBAO_LOGIN_MAX_FAILURES_PER_IP="100000")
    env.pop("SANBAO_DATABASE_URL", None)
    return subprocess.Popen(
        [BIN, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)


def first_answer(port, timeout=10.0):
    """Seconds until GET /healthz answers 200 (polled over a raw socket, 0.5 ms apart)."""
    t0 = time.perf_counter()
    req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.perf_counter() - t0 < timeout:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(req)
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.0005)
    raise RuntimeError("server did not answer")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, duration, conns, script=None):
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(non2xx.group(1)) if non2xx else 0, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    data = tempfile.mkdtemp(prefix="sanbao-bench-")
    port = free_port()
    try:
        print(f"binary: {os.path.getsize(BIN) / 1e6:.1f} MB ({BIN})")
        # First start creates and migrates the database.
        p = start(data, port)
        first_answer(port)
        p.terminate(); p.wait()
        subprocess.run([BIN, "admin", "create-user", "--data-dir", data, "--username", USER,
                        "--password", PASSWORD, "--role", "agent"], check=True,
                       stdout=subprocess.DEVNULL)
        # Start-up on an existing database: best of 5.
        times = []
        for _ in range(5):
            p = start(data, port)
            times.append(first_answer(port))
            p.terminate(); p.wait()
        print(f"start → first answer (existing db): best {min(times)*1000:.0f} ms, "
              f"median {sorted(times)[2]*1000:.0f} ms")
        p = start(data, port)
        first_answer(port)
        time.sleep(2)
        print(f"idle RSS: {rss_kib(p.pid) / 1024:.1f} MiB")
        base = f"http://127.0.0.1:{port}"
        rps, p99, bad, _ = wrk(base + "/healthz", args.duration, 32)
        print(f"GET /healthz, 32 connections: {rps:,.0f} req/s, p99 {p99}, non-2xx {bad}")
        print(f"RSS after /healthz load: {rss_kib(p.pid) / 1024:.1f} MiB")
        # Login: one login-form token pair reused by every request (double-submit cookie).
        with urllib.request.urlopen(base + "/login") as r:
            cookie = r.headers["Set-Cookie"].split(";")[0]
            csrf = re.search(r'name="_csrf" value="([0-9a-f]+)"', r.read().decode()).group(1)
        lua = os.path.join(data, "login.lua")
        with open(lua, "w") as f:
            f.write(
                'wrk.method = "POST"\n'
                f'wrk.body = "_csrf={csrf}&username={USER}&password={PASSWORD}&next=%2F"\n'
                'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                f'wrk.headers["Cookie"] = "{cookie}"\n')
        rps, p99, bad, out = wrk(base + "/login", args.duration, 8, lua)
        print(f"POST /login (argon2id, 8 connections): {rps:,.1f} req/s, p99 {p99}, non-2xx/3xx {bad}")
        print(f"RSS after login load: {rss_kib(p.pid) / 1024:.1f} MiB")
        p.terminate(); p.wait()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
