"""How well does ThemeMatcher put headlines under the right theme, with no training on labels?

    .venv/bin/python bench/eval_themes.py --data ../shared/data/ag_news_test_half.csv
    .venv/bin/python bench/eval_themes.py --data ../shared/data/lemonde_themes_h1.csv \
        --themes bench/themes/lemonde_fr.yaml

Any CSV with columns label,title,description; the themes file's names must be the CSV's labels.
Each row (title + description) is matched with the same code that matches brand themes: the
matcher first `adapt`s to the whole file as its unlabelled stream (as it does to the recent items
in production), then scores every row. The prediction is the best theme; a row whose best
relevance is under the model's `theme_min` is a "no match" and counts as wrong (the confusion
matrix still shows its best theme). The table of other thresholds keeps the keyword weight of
the model's own theme_min, so it is indicative. Vectors are cached under
/tmp/trendbot-cache/themes, with the encode rate measured when they were computed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import LabelledRow, add_data_argument, load_labelled_csv

from trendbot.calibration import for_model
from trendbot.embed import load_embedder, resolve_model
from trendbot.themes import ThemeMatcher, parse_themes

CACHE = Path("/tmp/trendbot-cache/themes")
HERE = Path(__file__).resolve().parent
THRESHOLDS = (0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3)


def text_of(row: LabelledRow) -> str:
    return f"{row.title}. {row.description}" if row.description else row.title


def encode_cached(texts: list[str], model: str) -> tuple[np.ndarray, float, bool]:
    """Vectors, texts per second when they were computed, and whether they came from the cache."""
    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
    path, meta = CACHE / f"{model}-{key}.npy", CACHE / f"{model}-{key}.json"
    if path.exists() and meta.exists():
        return np.load(path), json.loads(meta.read_text())["rate"], True
    embedder = load_embedder(model)
    started = time.perf_counter()
    vectors = embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - started)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    meta.write_text(json.dumps({"rate": rate}))
    return vectors, rate, False


def macro_f1(truth: np.ndarray, pred: np.ndarray, k: int) -> float:
    scores = []
    for c in range(k):
        tp = np.sum((pred == c) & (truth == c))
        fp, fn = np.sum((pred == c) & (truth != c)), np.sum((pred != c) & (truth == c))
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "ag_news_test_half.csv")
    parser.add_argument("--themes", type=Path, default=HERE / "themes" / "ag_news.yaml")
    parser.add_argument("--model", default="auto", help="auto | minilm | use-multilingual | ...")
    args = parser.parse_args(argv)

    spec = YAML(typ="safe").load(args.themes.read_text(encoding="utf-8"))
    themes = parse_themes(spec.get("themes"), file=str(args.themes))
    model, why = resolve_model(args.model, [spec.get("language") or "en"])
    names = [t.name for t in themes]
    rows = load_labelled_csv(args.data)
    unknown = sorted({r.label for r in rows} - set(names))
    if unknown:
        sys.exit(f"{args.data}: labels {unknown} are not themes in {args.themes}")
    texts = [text_of(r) for r in rows]
    truth = np.array([names.index(r.label) for r in rows])
    print(f"{args.data.name}: {len(rows)} rows, {len(names)} themes, model {model} ({why})")

    vectors, rate, cached = encode_cached(texts, model)
    print(f"encode rate: {rate:.0f} texts/s" + (" (when cached)" if cached else ""))
    encoder = load_embedder(model).encode
    theme_min = for_model(model).theme_min

    cold = ThemeMatcher(themes, encoder, model=model).relevance(texts, vectors)
    started = time.perf_counter()
    matcher = ThemeMatcher(themes, encoder, model=model)
    matcher.adapt(texts, vectors)
    relevance = matcher.relevance(texts, vectors)
    match_rate = len(texts) / (time.perf_counter() - started)

    best, top = relevance.argmax(axis=1), relevance.max(axis=1)
    matched = top >= theme_min
    correct = (best == truth) & matched
    accuracy = float(correct.mean())
    f1 = macro_f1(truth, np.where(matched, best, -1), len(names))
    print(f"accuracy {accuracy:.3f} (no match counts as wrong), macro-F1 {f1:.3f}")
    print(f"no match {1 - matched.mean():.3f} (best relevance < theme_min {theme_min})")
    print(f"best theme, threshold ignored: {np.mean(best == truth):.3f}")
    print(
        f"without the stream (prototypes + keywords only): {np.mean(cold.argmax(1) == truth):.3f}"
    )
    print(f"adapt + match: {match_rate:.0f} texts/s")

    width = max(len(n) for n in names) + 2
    print("\nconfusion (rows: label, columns: best theme)")
    print(" " * width + "".join(f"{n[:9]:>10}" for n in names))
    for i, n in enumerate(names):
        counts = [int(np.sum((truth == i) & (best == j))) for j in range(len(names))]
        print(f"{n:<{width}}" + "".join(f"{c:>10}" for c in counts))

    print("\nper theme at theme_min: own rows matched / other rows matched (false match)")
    for i, n in enumerate(names):
        own, other = relevance[truth == i, i], relevance[truth != i, i]
        print(f"  {n:<{width}} {np.mean(own >= theme_min):.3f} / {np.mean(other >= theme_min):.3f}")
    print("\nother thresholds: accuracy / no match / false match (any other theme)")
    for t in THRESHOLDS:
        others = np.concatenate([relevance[truth != i, i] for i in range(len(names))])
        acc = np.mean((best == truth) & (top >= t))
        print(f"  {t:.3f}  {acc:.3f} / {np.mean(top < t):.3f} / {np.mean(others >= t):.3f}")

    result = {
        "bench": "themes",
        "data": args.data.name,
        "themes": args.themes.name,
        "model": model,
        "rows": len(rows),
        "accuracy": round(accuracy, 4),
        "macro_f1": round(f1, 4),
        "no_match_rate": round(float(1 - matched.mean()), 4),
        "best_theme_accuracy": round(float(np.mean(best == truth)), 4),
        "cold_accuracy": round(float(np.mean(cold.argmax(1) == truth)), 4),
        "theme_min": theme_min,
        "encode_rate": round(rate, 1),
        "match_rate": round(match_rate, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
