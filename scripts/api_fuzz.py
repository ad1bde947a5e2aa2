#!/usr/bin/env python3
"""Schema-driven API fuzzing: schemathesis generates requests from Sanbao's own OpenAPI
document (coverage, fuzzing and stateful phases, NUL bytes included) and fails on any server
error (5xx) or a panic in the server's log. Bounded in time. Only talks to 127.0.0.1.

    cargo build -p sanbao && python3 scripts/api_fuzz.py [--max-time 90]
    # PostgreSQL: an empty database that the script may fill (it is dropped and re-created)
    python3 scripts/api_fuzz.py --database postgres://postgres@127.0.0.1:5432/sanbao_fuzz

schemathesis is installed from PyPI into target/venv-schemathesis on first use (version
pinned below, so runs are comparable).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_http import ROOT, first_answer, free_port  # noqa: E402

SCHEMATHESIS = "schemathesis==4.32.5"
VENV = os.path.join(ROOT, "target", "venv-schemathesis")


def schemathesis():
    exe = os.path.join(VENV, "bin", "schemathesis")
    if not os.path.exists(exe):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", SCHEMATHESIS], check=True)
    return exe


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-time", type=int, default=90, help="seconds of generated requests")
    ap.add_argument("--database", help="postgres://… database to drop, re-create and use")
    ap.add_argument("--bin", default=os.environ.get("SANBAO_BIN")
                    or os.path.join(ROOT, "target", "debug", "sanbao"))
    args = ap.parse_args()
    st = schemathesis()
    data = tempfile.mkdtemp(prefix="sanbao-fuzz-")
    db = ["--database", args.database] if args.database else []
    if args.database:
        server, name = args.database.rsplit("/", 1)
        for sql in [f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"']:
            subprocess.run(["psql", server + "/postgres", "-qc", sql], check=True)
    env = dict(os.environ, SANBAO_LOG_LEVEL="warn")
    env.pop("SANBAO_DATABASE_URL", None)
    server = None
    try:
        def cli(*a):
            return subprocess.run([args.bin, *a, "--data-dir", data, *db], check=True,
                                  capture_output=True, text=True, env=env).stdout
        cli("migrate")
        # The administrator holds every permission: every operation is reached past the role
        # check (the authorization matrix test covers the other roles).
        cli("admin", "create-user", "--username", "fuzzadmin", "--password", "Fuzz-Passw0rd-1",
            "--role", "admin")
        token = cli("admin", "create-token", "--username", "fuzzadmin").strip().splitlines()[-1]
        port = free_port()
        log = open(os.path.join(data, "server.log"), "w")
        server = subprocess.Popen([args.bin, "serve", "--data-dir", data, "--listen",
                                   f"127.0.0.1:{port}", *db], stdout=log, stderr=log, env=env)
        first_answer(port)
        run = subprocess.run(
            [st, "run", f"http://127.0.0.1:{port}/api/openapi.json",
             "-H", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
             "--max-examples", "30", "--max-time", str(args.max_time), "--workers", "2",
             "--request-timeout", "10"],
            capture_output=True, text=True)
        out = run.stdout + run.stderr
        server.terminate()
        server.wait()
        server = None
        log.close()
        panics = [line for line in open(os.path.join(data, "server.log"), encoding="utf-8",
                                        errors="replace") if "panicked" in line]
        counts = re.search(r"(\d+) generated, (.*)", out)
        backend = "PostgreSQL" if args.database else "SQLite"
        summary = counts.group(0) if counts else "no test cases reported"
        if run.returncode != 0 or panics or not counts:
            print(out[-6000:])
            print("".join(panics[:20]))
            print(f"API fuzzing ({backend}): FAILED — {summary}; {len(panics)} panics")
            sys.exit(1)
        print(f"API fuzzing ({backend}, {args.max_time} s): {summary}, 0 server errors, 0 panics")
    finally:
        if server:
            server.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
