"""Drafts an editor would use: replay a stream through the real pipeline and count the defects of
every pitch.

    python bench/eval_drafts.py --data STREAM --config FEEDS.yaml [--from DATE] [--to DATE]
                                [--every 30m] [--all-rising]

STREAM is any file `trendbot replay` reads (the Google News archive, the Le Monde corpus,
trendbot's export). The pitches are the ones the real pipeline makes with that config; with
`--all-rising`, every rising story the charter does not block is drafted too (with its closest
theme), so the writer is exercised on many more stories than cadence and brand fit let through.
Prints every pitch, then one JSON line: `pitches`, `defects` and the count of each kind.

The judge below is written apart from trendbot/pitches.py on purpose (it imports none of the
writer's helpers), so a writer bug cannot hide behind its own definition. A pitch has:

- wrong_language: the draft without its hashtags, or one of its sentences or clauses of 4+ words
  (split at . : ; ! ? and quotes), is classified by py3langid (restricted to the languages
  trendbot embeds) as another language than `brand.language` with probability >= 0.5: this
  catches an English headline quoted inside French copy.
- verbatim_run: 8 or more consecutive words (case and punctuation ignored) of the draft are a run
  of one of the story's headlines.
- common_hashtag: a one-word hashtag (no inner capital, not an acronym) that is a common word: in
  the whole STREAM file's headlines (not only the replayed period) it is written in lower case
  at least 25% of the times it appears after a headline's first word (names are not: "Trump",
  "Halloween"; "gold", "breaks" and "high" are), or, when it appears fewer than 3 times there,
  its wordfreq Zipf frequency in English or the brand's language is >= 4.0 (once per 10,000
  words). A CamelCase hashtag of 2-3 words is a common phrase by the same first test on the
  phrase (`#ReleaseDate`: "release date" is mostly written in lower case; `#WorldSeries` is
  not). The brand's own hashtags and name are exempt.
- over_length: the draft (hashtags included) is longer than `pitches.max_chars`.
- blocked_term: the draft or a hashtag contains one of the brand's blocked terms or competitors
  (whole words, case and accents ignored).
- unrelated_angle: the pitch has an angle, the angle shares no content word (4+ letters, first 5
  letters compared) with the story's headlines, and its cosine to the story's centroid is no
  higher than its median cosine to the centroids of the other rising stories of the replay: the
  angle is no closer to this story than to a typical unrelated one. An empty angle (the neutral
  "joining the conversation" line) is never a defect.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trendbot import pitches as pitches_mod
from trendbot.errors import PitchError
from trendbot.pipeline import (
    CycleReport,
    brand_fit,
    make_pipeline,
    pitch_input,
    replay,
    story_contexts,
)
from trendbot.settings import Settings, load_settings
from trendbot.sources.replay import read_stream
from trendbot.store.db import iso
from trendbot.themes import ThemeMatch
from trendbot.types import Pitch

KINDS = (
    "wrong_language",
    "verbatim_run",
    "common_hashtag",
    "over_length",
    "blocked_term",
    "unrelated_angle",
)
RUN = 8
SEGMENT_WORDS = 4  # a sentence or clause this long has a language of its own
LOWER_SHARE = 0.25
MIN_SEEN = 3
PHRASE_WORDS = 3  # a CamelCase tag of up to this many words is checked as a phrase
COMMON_ZIPF = 4.0
LANGUAGES = "ar de en es fr it ja ko nl pl pt ru th tr zh"  # the ones trendbot embeds
STOP_WORDS = (
    "this that with from have will been were their they them what when where which while about "
    "after before over under into more most than then your yours pour dans avec sans sous plus "
    "mais leur leurs nous vous elle elles sont être fait faire cette ceux celle comme tout tous "
    "toute toutes quand aussi encore just says said"
)
STOP = set(STOP_WORDS.split())


@dataclass
class Judged:
    pitch: Pitch
    titles: list[str]
    vector: np.ndarray
    defects: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


def grams(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def body_of(draft: str) -> str:
    return re.sub(r"#\w+", " ", draft).strip()


class Judge:
    def __init__(self, settings: Settings, stream_titles: Sequence[str]) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.settings = settings
        self.langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        self.langid.set_languages(LANGUAGES.split())
        self.lower: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        for title in stream_titles:
            tokens = re.findall(r"[^\W\d_]+", title)
            for i in range(1, len(tokens)):
                for n in range(1, PHRASE_WORDS + 1):
                    phrase = tokens[i : i + n]
                    if len(phrase) == n:
                        key = " ".join(phrase).casefold()
                        self.seen[key] += 1
                        self.lower[key] += all(t.islower() for t in phrase)
        brand = settings.brand
        self.exempt = {fold(t.lstrip("#")) for t in brand.hashtags} | {
            fold(re.sub(r"\W", "", brand.name))
        }
        terms = [*brand.safety.blocked_terms, *brand.safety.competitors]
        self.blocked = [(t, re.compile(rf"(?<!\w){re.escape(fold(t))}(?!\w)")) for t in terms if t]

    def common_word(self, tag: str) -> bool:
        word = tag.lstrip("#")
        if fold(word) in self.exempt or not word.isalpha():
            return False
        parts = re.findall(r"[A-ZÀ-Þ][^A-ZÀ-Þ]+", word)
        if len(parts) > 1 and "".join(parts) == word:
            return self.common_phrase(parts)  # #ReleaseDate is "release date"
        if any(ch.isupper() for ch in word[1:]):
            return False  # an acronym (NBA), a brand (iPhone)
        key = word.casefold()
        if self.seen[key] >= MIN_SEEN:
            return self.lower[key] / self.seen[key] >= LOWER_SHARE
        from wordfreq import zipf_frequency

        langs = {"en", self.settings.brand.language[:2]}
        return max(zipf_frequency(key, lang) for lang in langs) >= COMMON_ZIPF

    def common_phrase(self, words: Sequence[str]) -> bool:
        """Whether a CamelCase tag's words are a common phrase: the stream writes them in lower
        case at least LOWER_SHARE of the times (`#ReleaseDate`), not a name (`#WorldSeries`)."""
        key = " ".join(words).casefold()
        if len(words) > PHRASE_WORDS or self.seen[key] < MIN_SEEN:
            return False
        return self.lower[key] / self.seen[key] >= LOWER_SHARE

    def foreign(self, text: str) -> bool:
        if len(re.findall(r"[^\W\d_]+", text)) < SEGMENT_WORDS:
            return False  # a name or two: no language to speak of
        lang, prob = self.langid.classify(text)
        return bool(lang != self.settings.brand.language[:2] and prob >= 0.5)

    def judge(self, case: Judged) -> None:
        pitch = case.pitch
        body = body_of(pitch.draft)
        if any(self.foreign(part) for part in [body, *re.split(r"[.:;!?«»“”\"]", body)]):
            case.defects.append("wrong_language")
        draft_grams = grams(body)
        if any(draft_grams & grams(t) for t in case.titles):
            case.defects.append("verbatim_run")
        if any(self.common_word(t) for t in pitch.hashtags):
            case.defects.append("common_hashtag")
        if len(pitch.draft) > self.settings.pitches.max_chars:
            case.defects.append("over_length")
        text = fold(pitch.draft + " " + " ".join(pitch.hashtags))
        if any(p.search(text) for _, p in self.blocked):
            case.defects.append("blocked_term")


def content(text: str) -> set[str]:
    return {w[:5] for w in words(text) if len(w) >= 4 and w not in STOP and not w.isdigit()}


def judge_angles(cases: Sequence[Judged], others: dict[int, np.ndarray], encode: Any) -> None:
    angled = [c for c in cases if c.pitch.angle.strip()]
    if not angled:
        return
    angle_vecs = encode([c.pitch.angle for c in angled])
    for case, vec in zip(angled, angle_vecs, strict=True):
        if content(case.pitch.angle) & content(" ".join(case.titles)):
            continue
        mine = float(vec @ case.vector)
        rest = [float(vec @ v) for sid, v in others.items() if sid != case.pitch.story_id]
        if not rest or mine <= float(np.median(rest)):
            case.defects.append("unrelated_angle")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--from", dest="start", type=datetime.fromisoformat)
    parser.add_argument("--to", dest="end", type=datetime.fromisoformat)
    parser.add_argument("--every", type=int, default=30, help="minutes between cycles")
    parser.add_argument("--all-rising", action="store_true", help="draft every rising story")
    args = parser.parse_args(argv)

    def utc(d: datetime | None) -> datetime | None:
        from datetime import UTC

        return d.replace(tzinfo=UTC) if d is not None and d.tzinfo is None else d

    settings = load_settings(args.config)
    items = read_stream(args.data, start=utc(args.start), end=utc(args.end))
    if not items:
        sys.exit(f"{args.data}: nothing to replay in that period")
    db = str(Path(tempfile.mkdtemp(prefix="eval-drafts-")) / "replay.db")
    cases: dict[int, Judged] = {}
    others: dict[int, np.ndarray] = {}
    brand = settings.brand

    with make_pipeline(settings, db=db, clock=lambda: items[-1].seen) as pipeline:
        brain, store = pipeline.brain, pipeline.store
        themes_by_name = {t.name: t for t in brand.themes}

        def on_cycle(report: CycleReport) -> None:
            rows = store.query(
                "SELECT id FROM stories WHERE state IN ('rising', 'peaking') AND scored_at = ?"
                " AND merged_into IS NULL",
                [iso(report.now)],
            )
            contexts = story_contexts(
                store, store.story_rows(brain.model, ids=[r["id"] for r in rows])
            )
            by_id = {c.row.id: c for c in contexts}
            for c in contexts:
                others[c.row.id] = c.vector
            for pitch in report.pitched:
                c = (
                    by_id.get(pitch.story_id)
                    or story_contexts(store, store.story_rows(brain.model, ids=[pitch.story_id]))[0]
                )
                others[pitch.story_id] = c.vector
                titles = [i.title for i in c.items]
                cases[pitch.story_id] = Judged(pitch, titles, c.vector)
            if not args.all_rising:
                return
            fresh = [c for c in contexts if c.row.id not in cases]
            for c, fit in zip(fresh, brand_fit(brain, fresh), strict=True):
                if fit.verdict.blocked:
                    continue
                if fit.theme is None:
                    rel = brain.matcher.relevance([c.text], c.vector[None])[0]
                    best = int(np.argmax(rel))
                    name = brand.themes[best].name
                    fit = type(fit)(ThemeMatch(name, float(rel[best]), "closest"), (), fit.verdict)
                assert fit.theme is not None
                story = pitch_input(c, fit, themes_by_name[fit.theme.theme])
                try:
                    pitch = pitches_mod.draft_pitch(
                        story,
                        brand,
                        settings.pitches,
                        writer=pipeline.writer,
                        check=brain.safety.check_draft,
                        **draft_extras(brain),
                    )
                except PitchError:
                    continue
                cases[c.row.id] = Judged(pitch, [i.title for i in c.items], c.vector)

        summary = replay(pipeline, items, every=timedelta(minutes=args.every), on_cycle=on_cycle)
        judge = Judge(settings, [i.title for i in read_stream(args.data)])
        for case in cases.values():
            judge.judge(case)
        judge_angles(list(cases.values()), others, brain.encode)

    counts = Counter(kind for case in cases.values() for kind in case.defects)
    for case in cases.values():
        p = case.pitch
        print(f"--- story {p.story_id} [{p.theme}] {p.story_label[:90]}")
        print(f"    draft:    {p.draft!r}")
        print(f"    hashtags: {' '.join(p.hashtags)}")
        print(f"    angle:    {p.angle!r}")
        print(f"    visual:   {p.visual}")
        if case.defects:
            print(f"    DEFECTS:  {', '.join(case.defects)}")
    print(
        f"# {len(items)} items, {summary.cycles} cycles, {len(summary.rising)} rising stories, "
        f"{summary.pitched} pitched by the pipeline"
    )
    result: dict[str, Any] = {
        "pitches": len(cases),
        "defects": sum(counts.values()),
    }
    result |= {kind: counts[kind] for kind in KINDS}
    print(json.dumps(result))


def draft_extras(brain: Any) -> dict[str, Any]:
    """What the pipeline gives `draft_pitch` besides the story (the encoder for angles)."""
    return {"encode": brain.encode}


if __name__ == "__main__":
    main()
