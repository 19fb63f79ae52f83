"""Rebuild the shipped topic classifiers, trendbot/data/topics-<model>.npz.

    .venv/bin/python scripts/train_topics.py [--model minilm --model use-multilingual]
        [--data ../shared/data/huffpost_2018_2022_half.jsonl.gz] [--check]

Training data (see trendbot/topics.py): the even rows (0, 2, 4, ...) of the HuffPost half file,
each as its headline with its description and as its headline alone (a story in the product is
often headlines only), plus trendbot/data/background.jsonl in English and French. The odd rows
are never used here: bench/eval_brand_fit.py reports on them (`--rows odd`).

`--check` trains again and compares with the shipped weights instead of writing them (the test
suite runs it): exit 1 when the predictions differ.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trendbot import topics  # noqa: E402
from trendbot.embed import MINILM, USE_MULTILINGUAL, load_embedder  # noqa: E402
from trendbot.types import embed_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "huffpost_2018_2022_half.jsonl.gz"


def training_set(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for row in rows[::2]:
        topic = topics.HUFFPOST_TOPICS.get(row["category"])
        if topic is None:
            continue
        full = embed_text(row["headline"], row["short_description"])
        texts += [full, row["headline"]] if full != row["headline"] else [full]
        labels += [topic] * (2 if full != row["headline"] else 1)
    extra_texts, extra_labels = topics.background_examples()
    return texts + extra_texts, labels + extra_labels


def build(model: str, data: Path) -> topics.TopicModel:
    texts, labels = training_set(data)
    vectors = load_embedder(model).encode(texts)
    return topics.train(model, vectors, labels)


def same(a: topics.TopicModel, b: topics.TopicModel, probe: np.ndarray) -> bool:
    """Same topics and the same probabilities (to 1e-3) on `probe`: the solver's last digits
    may differ between machines, its answers may not."""
    if a.topics != b.topics:
        return False
    return bool(np.abs(a.predict(probe) - b.predict(probe)).max() < 1e-3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", action="append", choices=[MINILM, USE_MULTILINGUAL])
    parser.add_argument("--check", action="store_true", help="compare, don't write")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data}: not found (the HuffPost half file of ../shared/data)", file=sys.stderr)
        return 2
    status = 0
    for model in args.model or [MINILM, USE_MULTILINGUAL]:
        built = build(model, args.data)
        path = topics.shipped_path(model)
        if args.check:
            probe = load_embedder(model).encode(topics.background_examples()[0][:200])
            ok = path.exists() and same(built, topics.TopicModel.read(path), probe)
            print(f"{model}: shipped weights {'match' if ok else 'DIFFER from'} the script")
            status |= 0 if ok else 1
        else:
            built.save(path)
            print(f"{model}: {len(built.topics)} topics, {built.weights.shape} -> {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
