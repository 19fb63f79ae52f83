"""Per-model thresholds, in one table, with the figures that justify them.

Cosine similarities mean different things for different encoders (MiniLM puts two unrelated French
headlines at 0.4-0.5; the multilingual USE at 0.1-0.25), so every threshold that compares a
cosine is set per model here, never inline. Models not listed fall back to `DEFAULT`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    # stories: join the nearest live story at or above this cosine (owner: stories.py)
    story_join: float
    # themes: relevance at or above which a story matches a theme (owner: themes.py)
    theme_min: float
    # safety: prototype cosine for `blocked` and for `caution` (owner: safety.py)
    safety_block: float
    safety_caution: float


TABLE: dict[str, Calibration] = {
    # placeholder figures, replaced by the calibrated ones with their evidence
    "minilm": Calibration(story_join=0.6, theme_min=0.15, safety_block=0.45, safety_caution=0.35),
    "use-multilingual": Calibration(
        story_join=0.6, theme_min=0.12, safety_block=0.45, safety_caution=0.38
    ),
}
DEFAULT = TABLE["minilm"]


def for_model(model: str) -> Calibration:
    return TABLE.get(model, DEFAULT)
