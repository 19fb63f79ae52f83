"""trendbot: a newsjacking assistant for brand teams.

Watches news and trending-topic feeds, groups items into stories, spots the ones rising now,
matches them to the brand's themes, filters what is unsafe, and pitches post ideas in Slack.
"""

from trendbot.errors import TrendbotError

__version__ = "0.1.0"
__all__ = ["TrendbotError", "__version__"]
