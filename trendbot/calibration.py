"""Per-model thresholds, in one table, with the figures that justify them.

Cosine similarities mean different things for different encoders (MiniLM puts two unrelated French
headlines at 0.4-0.5; the multilingual USE at 0.1-0.25), so every threshold that compares a
cosine is set per model here, never inline. Models not listed fall back to `DEFAULT`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    # stories: join the best live story at or above this score, cosine to its centroid + 0.8 x
    # cosine of title terms (owner: stories.py). From MStream News-T fed one item at a time
    # (bench/eval_stories.py, NMI): minilm 0.5 -> 0.934 (0.45: 0.931, 0.55: 0.931; shuffled
    # News 0.922); use-multilingual 0.6 -> 0.924 (0.55: 0.915, 0.65: 0.922; News 0.909).
    story_join: float
    # themes: relevance at or above which a story matches a theme (owner: themes.py). Set where
    # <= 2% of headlines match none of the themes they belong to (bench/eval_themes.py, every
    # row belongs to a theme): minilm 0.12 on AG News, accuracy 0.854, 1.7% no match, 9.6% of
    # rows also match a wrong theme (0.10: 0.857; 0.15: 0.847); use-multilingual 0.15 on Le
    # Monde's six themes (fr), 0.855, 2.1%, 7.4% (0.125: 0.861; 0.20: 0.819); AG News with it:
    # 0.804. On a whole news stream, narrow themes (tennis, coffee...) also match 7-9% (USE,
    # Le Monde) to 20-25% (MiniLM, Google News) of unrelated stories at these values; 0.3-0.4
    # brings that to 0.1-5%: rank by relevance.
    theme_min: float
    # safety: max cosine to a category's prototype sentences for `blocked` and for `caution`
    # (owner: safety.py). On tests/data/safety_headlines.jsonl, harmless English headlines reach
    # 0.26 (minilm) / 0.39 (use-multilingual; French ones 0.26), blocked-worthy ones the words
    # miss sit at 0.35-0.48 / 0.30-0.45; on bench/eval_safety.py's 200 headlines the harmless
    # ones stay under 0.35 (markets, tech), while "Japan deploys the military... bear attacks"
    # reaches 0.44 / 0.52. MiniLM is English-only: French texts land at 0.4-0.6 against any
    # prototype, so French feeds need use-multilingual (auto picks it).
    safety_block: float
    safety_caution: float


TABLE: dict[str, Calibration] = {
    # placeholder figures, replaced by the calibrated ones with their evidence
    "minilm": Calibration(story_join=0.5, theme_min=0.12, safety_block=0.45, safety_caution=0.35),
    "use-multilingual": Calibration(
        story_join=0.6, theme_min=0.15, safety_block=0.45, safety_caution=0.38
    ),
}
DEFAULT = TABLE["minilm"]


def for_model(model: str) -> Calibration:
    return TABLE.get(model, DEFAULT)
