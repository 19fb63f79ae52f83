"""How long does an install made before its server had pgvector take to move its vectors to it?

    .venv/bin/python bench/pgvector_convert.py [--vectors 20000] [--dim 512]

Starts a throwaway PostgreSQL 16 with pgvector (the build inside the `pgserver` wheel, a test
dependency, copied under /tmp and started by `.ci/pg.sh` with PG_SH_BIN; stopped and removed at
the end). Stores --vectors random float32 vectors of --dim dimensions as BYTEA (the store opened
as on a server without the extension), then opens the store again as a worker starting does:
that converts them (`PostgresEngine._convert`). Checks every vector came back bit for bit.
Prints the figures, then ONE JSON line.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import psycopg

from trendbot.store import Store
from trendbot.store.postgres import PostgresEngine
from trendbot.types import Item

PG_SH = Path(__file__).resolve().parent.parent / ".ci" / "pg.sh"


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vectors", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=512)
    args = parser.parse_args(argv)
    try:
        wheel = importlib.metadata.distribution("pgserver")
    except importlib.metadata.PackageNotFoundError:
        sys.exit("bench/pgvector_convert.py: needs the pgserver wheel (pip install -e '.[test]')")
    folder = tempfile.mkdtemp(prefix="tbpgv")
    build = Path(folder) / "build"
    for part in ("pgserver/pginstall", "pgserver.libs"):  # the binaries' rpath wants this layout
        shutil.copytree(Path(str(wheel.locate_file(part))), build / part)
    env = {"PG_SH_BIN": str(build / "pgserver/pginstall/bin")}
    started = subprocess.run(
        [str(PG_SH), "start", folder], capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **env},
    )  # fmt: skip
    try:
        if started.returncode != 0:
            sys.exit(f"bench/pgvector_convert.py: no server: {started.stderr.strip()[-300:]}")
        url = started.stdout.strip()
        return measure(url, args.vectors, args.dim)
    finally:
        subprocess.run([str(PG_SH), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def measure(url: str, n: int, dim: int) -> dict[str, object]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    rng = np.random.default_rng(0)
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    items = [
        Item(feed="a", guid=f"g{k}", url=f"https://example.com/{k}", title=f"Headline {k}",
             summary="", published=t0, seen=t0 + timedelta(seconds=k), source="Pub")
        for k in range(n)
    ]  # fmt: skip
    vectors = {item.id: rng.normal(size=dim).astype(np.float32) for item in items}
    without = mock.patch.object(PostgresEngine, "_adopt_pgvector", lambda self, conn: None)
    with without, Store(url) as store:  # as on a server without the extension: BYTEA
        store.ensure_feed("a")
        for k in range(0, n, 5000):
            store.save_items("a", items[k : k + 5000])
        store.save_vectors("m", [(key, "h", v) for key, v in vectors.items()])
    started = time.perf_counter()
    with Store(url) as store:  # a worker starting: the column becomes `vector`
        seconds = time.perf_counter() - started
        back = store.vectors("m", list(vectors))
        column = store.query(
            "SELECT udt_name FROM information_schema.columns WHERE table_name = 'embeddings'"
            " AND column_name = 'vector' AND table_schema = current_schema()"
        )[0]["udt_name"]
    exact = len(back) == n and all(back[k].tobytes() == v.tobytes() for k, v in vectors.items())
    result = {
        "vectors": n,
        "dim": dim,
        "column": column,
        "exact": exact,
        "convert_s": round(seconds, 2),
        "ms_per_vector": round(1000 * seconds / n, 3),
        "minutes_per_million": round(seconds / n * 1e6 / 60, 1),
    }
    print(
        f"{n:,} vectors of {dim} dimensions, BYTEA -> {column} in {seconds:.1f} s"
        f" ({result['ms_per_vector']} ms a vector, ~{result['minutes_per_million']} min a million);"
        f" all back bit for bit: {exact}"
    )
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
