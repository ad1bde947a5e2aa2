#!/usr/bin/env python3
"""Fail when a production source file grows past 600 lines (DESIGN: layout for growth).

Counts the lines of each `crates/*/src/**/*.rs` file before its `#[cfg(test)]` module; test
files (`tests.rs`, `tests/`) are stories and may be longer. Functions past 80 lines are
clippy's `too_many_lines` (clippy.toml).

    python3 scripts/check_sizes.py
"""
import pathlib
import sys

LIMIT = 600
ROOT = pathlib.Path(__file__).resolve().parent.parent


def production_lines(path: pathlib.Path) -> int:
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#[cfg(test)]"):
            break
        n += 1
    return n


def main() -> int:
    over = []
    for path in sorted(ROOT.glob("crates/*/src/**/*.rs")):
        if path.name == "tests.rs" or "tests" in path.relative_to(ROOT).parts[3:-1]:
            continue
        n = production_lines(path)
        if n > LIMIT:
            over.append((n, path.relative_to(ROOT)))
    for n, p in over:
        print(f"{p}: {n} lines (limit {LIMIT}): split it by concern")
    if not over:
        print(f"every production file is within {LIMIT} lines")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
