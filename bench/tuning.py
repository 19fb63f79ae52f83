"""How fast can a marketer iterate on themes? `trendbot themes try` and a second replay, timed.

    .venv/bin/python bench/tuning.py [--data ../shared/data/news_archive_2025.jsonl.gz] \
        [--from 2025-09-01] [--to 2025-09-15] [--config trendbot/data/feeds.example.yaml]

Runs `trendbot` as a user would, as subprocesses, with a fresh vector cache (TRENDBOT_CACHE in a
temporary folder) and fresh databases:
1. `replay` of the fortnight: the first, every text encoded (and the model loaded);
2. the same `replay` into another fresh database: every vector from the cache, model not loaded;
3. `themes try` on the same fortnight, its vectors cached (what each edit of feeds.yaml costs).
Targets (issue 15): `themes try` <= 10 s once cached; second replay / first <= 0.4.
Wall times of whole processes (imports included); the load average is printed, the machine may
be shared. Prints ONE JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "news_archive_2025.jsonl.gz"
CONFIG = REPO / "trendbot" / "data" / "feeds.example.yaml"


def trendbot(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "trendbot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=3600,
    )
    took = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"trendbot {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return took, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--from", dest="start", default="2025-09-01")
    parser.add_argument("--to", dest="end", default="2025-09-15")
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args()
    period = ["--from", args.start, "--to", args.end]
    with tempfile.TemporaryDirectory(prefix="trendbot-bench-tuning-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TRENDBOT_"))}
        env |= {"TRENDBOT_CACHE": str(folder / "cache"), "COLUMNS": "120"}
        common = ["--config", str(args.config)]
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
        first, out = trendbot(
            env, *common, "--db", str(folder / "1.db"), "replay", str(args.data), *period
        )
        items = int(re.search(r"([\d,]+)\s+items replayed", out)[1].replace(",", ""))  # type: ignore[index]
        print(f"replay, first (empty cache): {first:.1f} s for {items:,} items", flush=True)
        second, _ = trendbot(
            env, *common, "--db", str(folder / "2.db"), "replay", str(args.data), *period
        )
        print(f"replay, second (cached):     {second:.1f} s ({second / first:.2f} of the first)")
        tried, out = trendbot(env, *common, "themes", "try", str(args.data), *period)
        print(f"themes try (cached):         {tried:.1f} s")
        print("  " + out.strip().splitlines()[-1], flush=True)
        cache_mb = (folder / "cache" / "vectors.sqlite").stat().st_size / 2**20
        print(f"cache file: {cache_mb:.1f} MiB; load average now {os.getloadavg()[0]:.2f}")
    print(
        json.dumps(
            {
                "data": args.data.name,
                "from": args.start,
                "to": args.end,
                "items": items,
                "themes_try_seconds": round(tried, 2),
                "replay_first_seconds": round(first, 2),
                "replay_second_seconds": round(second, 2),
                "replay_ratio": round(second / first, 3),
                "cache_mib": round(cache_mb, 1),
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
