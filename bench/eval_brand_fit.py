"""Open-set brand fit and brand safety on labelled headlines, scored as the product scores them.

    .venv/bin/python bench/eval_brand_fit.py \
        --data ../shared/data/huffpost_2018_2022_half.jsonl.gz \
        --brand bench/brands/hearth_en.yaml [--rows odd]
    .venv/bin/python bench/eval_brand_fit.py --data ../shared/data/lemonde_themes_h1.csv \
        --brand bench/brands/lumiere_fr.yaml --rows odd

`--data`: HuffPost's News Category jsonl(.gz) (`category`, `headline`, `short_description`) or a
CSV `label,title,description` (the label is the category). `--brand`: a feeds.yaml-style `brand:`
section plus an `evaluation:` section (see ../shared/data/brands/grill_en.yaml) naming the
categories each theme stands for, the off-theme ones, the charter-type and the harmless ones;
rows of other categories are left out.

Each row is one story: its headline is the story's text, `embed_text(headline, description)` its
vector, as an item with a summary is embedded. The matcher and the safety filter are built by
`trendbot.fit` from the brand section at the shipped defaults, exactly as `trendbot run` builds
them, and the matcher adapts to the file as its unlabelled stream. A row is *matched* when its
best theme reaches the brand's `cadence.min_relevance` and safety finds it safe: what the
pipeline would pitch (trendbot/cycle.py holds a blocked story as blocked, and a caution for an
editor, before it looks at themes).

- precision: among matched rows (on-theme and off-theme ones), the share matched to their theme;
- recall: among on-theme rows, the share matched to their theme (a blocked or caution one is a
  miss);
- theme_precision / theme_recall: the same on the theme match alone, whatever safety says;
- charter_blocked / charter_flagged (blocked or caution) on charter-type rows, harmless_blocked /
  harmless_flagged on harmless rows.

`--rows odd|even` keeps every other row, in file order, of either format: the topic model
(trendbot/topics.py) was trained on the even rows of the shared HuffPost half file, so figures on
that file are reported on `--rows odd`; on the Le Monde CSV (never trained on, never copied into
the repository) choices are tried on `--rows even` and figures reported on `--rows odd`.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from collections import Counter
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trendbot.embed import load_embedder, resolve_model  # noqa: E402
from trendbot.fit import assess, make_matcher, make_safety, places_of  # noqa: E402
from trendbot.settings import parse_settings  # noqa: E402
from trendbot.topics import load as load_topics  # noqa: E402
from trendbot.types import embed_text  # noqa: E402


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    """(category, headline, description) per row, in file order."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:  # type: ignore[operator]
        if ".csv" in path.name:
            return [(r["label"], r["title"], r.get("description") or "") for r in csv.DictReader(f)]
        rows = [json.loads(line) for line in f if line.strip()]
    return [(r["category"], r["headline"], r.get("short_description") or "") for r in rows]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--brand", type=Path, required=True)
    parser.add_argument("--rows", choices=["all", "even", "odd"], default="all")
    parser.add_argument("--model", default="auto", help="embedding.model (default: auto)")
    parser.add_argument("--show", type=int, default=8, help="examples of each kind of error")
    args = parser.parse_args(argv)

    config = YAML(typ="safe").load(args.brand.read_text("utf-8"))
    settings = parse_settings(
        {"brand": config["brand"], "embedding": {"model": args.model}}, name=str(args.brand)
    )
    brand, evaluation = settings.brand, config["evaluation"]
    gold = {c: theme for theme, cats in evaluation["themes"].items() for c in cats}
    off, charter = set(evaluation["off_theme"]), set(evaluation["charter"])
    harmless = set(evaluation["harmless"])
    wanted = set(gold) | off | charter | harmless

    rows = read_rows(args.data)
    if args.rows != "all":
        rows = rows[0 if args.rows == "even" else 1 :: 2]
    rows = [r for r in rows if r[0] in wanted]
    model, why = resolve_model(settings.embedding.model, settings.languages)
    print(f"{args.data.name}: {len(rows)} rows ({args.rows}) of {len(wanted)} categories")
    print(f"brand {brand.name!r} ({brand.language}), model {model} ({why})")

    started = time.perf_counter()
    embedder = load_embedder(model)
    titles = [r[1] for r in rows]
    vectors = embedder.encode([embed_text(r[1], r[2]) for r in rows])
    topics = load_topics(model, embedder.encode)
    matcher = make_matcher(brand, embedder.encode, model=model, topics=topics)
    safety = make_safety(brand, embedder.encode, model=model, topics=topics)
    matcher.adapt(titles, vectors)
    fits = assess(matcher, safety, titles, vectors, places_of(brand))
    seconds = time.perf_counter() - started

    bar = brand.cadence.min_relevance
    themed = [f.theme.theme if f.theme and f.theme.relevance >= bar else None for f in fits]
    # what the pipeline does: a blocked story is held as blocked, a caution for an editor, their
    # themes never considered
    picked = [t if f.verdict.level == "safe" else None for f, t in zip(fits, themed, strict=True)]
    cats = [r[0] for r in rows]
    judged = [i for i, c in enumerate(cats) if c in gold or c in off]
    on_theme = [i for i, c in enumerate(cats) if c in gold]

    def fit_figures(chosen: list[str | None]) -> tuple[list[int], float, float]:
        matched = [i for i in judged if chosen[i]]
        right = [i for i in matched if chosen[i] == gold.get(cats[i])]
        found = sum(chosen[i] == gold[cats[i]] for i in on_theme)
        return matched, len(right) / max(len(matched), 1), found / max(len(on_theme), 1)

    matched, precision, recall = fit_figures(picked)
    _, theme_precision, theme_recall = fit_figures(themed)

    def share(cats_set: set[str], levels: tuple[str, ...]) -> float:
        idx = [i for i, c in enumerate(cats) if c in cats_set]
        return sum(fits[i].verdict.level in levels for i in idx) / len(idx) if idx else 0.0

    print(
        f"\nbrand fit at min_relevance {bar}, safe: {len(matched)} matched of"
        f" {len(judged)} rows; theme alone (whatever safety says): precision {theme_precision:.3f},"
        f" recall {theme_recall:.3f}"
    )
    for theme in [t.name for t in brand.themes]:
        rows_of = [i for i in on_theme if gold[cats[i]] == theme]
        got = [i for i in matched if picked[i] == theme]
        ok = sum(gold.get(cats[i]) == theme for i in got)
        print(
            f"  {theme:16} {len(rows_of):5} rows, matched {len(got):4}, right {ok:4}"
            f" (precision {ok / max(len(got), 1):.2f}, recall {ok / max(len(rows_of), 1):.2f})"
        )
    # the on-theme rows not found, and what held each: safety, a low score or another theme
    lost = [i for i in on_theme if picked[i] != gold[cats[i]]]
    held = Counter(
        fits[i].verdict.level
        if fits[i].verdict.level != "safe"
        else ("another theme" if themed[i] else "below the bar")
        for i in lost
    )
    print(f"  on-theme rows not found, by what held them: {dict(held.most_common())}")
    for i in lost[: args.show]:
        theme, level = fits[i].theme, fits[i].verdict.level
        got = f"{theme.theme} {theme.relevance:.2f}" if theme else "no theme"
        print(f"    [{cats[i]} missed, {level}, {got}] {titles[i][:90]}")
        if level != "safe":
            print(f"        {fits[i].verdict.reason[:140]}")
    wrong = Counter(cats[i] for i in matched if picked[i] != gold.get(cats[i]))
    print(f"  wrongly matched, by category: {dict(wrong.most_common(8))}")
    for i in [i for i in matched if picked[i] != gold.get(cats[i])][: args.show]:
        theme = fits[i].theme
        assert theme is not None
        print(f"    [{cats[i]} -> {theme.theme} {theme.relevance:.2f}] {titles[i][:90]}")
        print(f"        why: {theme.evidence}")

    result = {
        "rows": len(rows),
        "matched": len(matched),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "theme_precision": round(theme_precision, 3),
        "theme_recall": round(theme_recall, 3),
        "charter_blocked": round(share(charter, ("blocked",)), 3),
        "charter_flagged": round(share(charter, ("blocked", "caution")), 3),
        "harmless_blocked": round(share(harmless, ("blocked",)), 3),
        "harmless_flagged": round(share(harmless, ("blocked", "caution")), 3),
        "model": model,
        "seconds": round(seconds, 1),
    }
    print(
        f"\nsafety: charter-type rows blocked {result['charter_blocked']:.1%}, flagged "
        f"{result['charter_flagged']:.1%}; harmless rows blocked {result['harmless_blocked']:.1%},"
        f" flagged {result['harmless_flagged']:.1%}"
    )
    for label, cats_set, level in (
        ("harmless but blocked", harmless, "blocked"),
        ("harmless but caution", harmless, "caution"),
    ):
        shown = [i for i, c in enumerate(cats) if c in cats_set and fits[i].verdict.level == level]
        for i in shown[: args.show]:
            print(f"  [{label}: {cats[i]}] {fits[i].verdict.reason[:150]}")
    missed = [i for i, c in enumerate(cats) if c in charter and fits[i].verdict.level == "safe"]
    for i in missed[: args.show]:
        print(f"  [charter but safe: {cats[i]}] {titles[i][:110]}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
