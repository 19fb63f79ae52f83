"""Every word the Slack bot says, in English and French, chosen by `brand.language`.

Texts are Slack mrkdwn with `str.format` fields. A test checks that both languages have every key
and the same fields, and that every key the package uses exists.
"""

from __future__ import annotations

import string
from typing import Any

from trendbot.lang import base_language

LANGUAGES = ("en", "fr")

# key: (English, French)
TEXTS: dict[str, tuple[str, str]] = {
    # pitch cards ------------------------------------------------------------------------------
    "card.fallback": (
        "New pitch for {theme}: {label}",
        "Nouvelle proposition pour {theme} : {label}",
    ),
    "card.header": ("📈 {label}", "📈 {label}"),
    "card.theme": ("Theme: *{theme}*", "Thème : *{theme}*"),
    "card.angle": ("Angle: {angle}", "Angle : {angle}"),
    "card.score": ("score {score}", "score {score}"),
    "card.draft": ("*Draft* (copy it from the box below)", "*Texte* (à copier ci-dessous)"),
    "card.hashtags": ("*Hashtags*\n{hashtags}", "*Hashtags*\n{hashtags}"),
    "card.no_hashtags": ("*Hashtags*\n(none)", "*Hashtags*\n(aucun)"),
    "card.visual": ("*Visual idea*\n{visual}", "*Idée de visuel*\n{visual}"),
    "card.why_now": ("*Why now*\n{why_now}", "*Pourquoi maintenant*\n{why_now}"),
    "card.safe": ("✅ Brand-safe", "✅ Sans risque pour la marque"),
    "card.caution": (
        "⚠️ *Caution:* {reason} Read the sources before approving.",
        "⚠️ *Prudence :* {reason} Lisez les sources avant de valider.",
    ),
    "card.sources": ("*Sources*\n{links}", "*Sources*\n{links}"),
    "card.more_sources": (
        "…and {count} more in the thread",
        "…et {count} autres dans le fil",
    ),
    "card.footer": (
        "Pitch #{pitch_id} · reply in the thread: `ok`, `reject: reason`, `edit: new text`",
        "Proposition n°{pitch_id} · répondez dans le fil : `oui`, `refuser : raison`, "
        "`modifier : nouveau texte`",
    ),
    "card.id": ("Pitch #{pitch_id}", "Proposition n°{pitch_id}"),
    "card.writer_llm": ("written by the LLM writer", "rédigé par le rédacteur LLM"),
    "card.writer_note": ("template draft: {note}", "texte modèle : {note}"),
    "button.approve": ("Approve", "Valider"),
    "button.reject": ("Reject", "Refuser"),
    "button.snooze": ("Snooze", "Plus tard"),
    "button.not_our_topic": ("Not our topic", "Pas notre sujet"),
    "sources.fallback": ("Sources for {label}", "Sources de {label}"),
    "sources.title": ("*All sources ({count})*", "*Toutes les sources ({count})*"),
    "sources.more": ("…and {count} more", "…et {count} autres"),
    "update.fallback": ("Update on {label}", "Du nouveau sur {label}"),
    # decisions ----------------------------------------------------------------------------------
    "decided.approve": ("✅ Approved by <@{user}> {when}", "✅ Validé par <@{user}> {when}"),
    "decided.reject": ("❌ Rejected by <@{user}> {when}", "❌ Refusé par <@{user}> {when}"),
    "decided.snooze": ("💤 Snoozed by <@{user}> {when}", "💤 Mis de côté par <@{user}> {when}"),
    "decided.not_our_topic": (
        "🚫 Not our topic, said <@{user}> {when}",
        "🚫 Pas notre sujet, selon <@{user}> {when}",
    ),
    "decided.edit": (
        "✏️ Draft edited by <@{user}> {when}",
        "✏️ Texte modifié par <@{user}> {when}",
    ),
    "decided.reason": ("Why: {reason}", "Pourquoi : {reason}"),
    "decided.fallback": ("{status}: {label}", "{status} : {label}"),
    "final.fallback": ("Approved post: {label}", "Publication validée : {label}"),
    "final.header": ("✅ Ready to post: {label}", "✅ Prêt à publier : {label}"),
    "final.context": (
        "{theme} · approved by <@{user}> in <#{channel}> {when}",
        "{theme} · validé par <@{user}> dans <#{channel}> {when}",
    ),
    "only_editors": (
        "Only editors can approve, reject or edit pitches. Ask an admin to add you to "
        "`slack.editors` in feeds.yaml.",
        "Seuls les éditeurs peuvent valider, refuser ou modifier les propositions. Demandez à un "
        "admin de vous ajouter à `slack.editors` dans feeds.yaml.",
    ),
    "only_editors_command": (
        "Only editors can change themes and feeds. Ask an admin to add you to `slack.editors` "
        "in feeds.yaml.",
        "Seuls les éditeurs peuvent changer les thèmes et les flux. Demandez à un admin de vous "
        "ajouter à `slack.editors` dans feeds.yaml.",
    ),
    "already_decided": (
        "Pitch #{pitch_id} is already {state}: nothing changed.",
        "La proposition n°{pitch_id} est déjà {state} : rien n'a changé.",
    ),
    "unknown_pitch": (
        "This pitch is no longer in the database: nothing changed.",
        "Cette proposition n'est plus dans la base : rien n'a changé.",
    ),
    "decision_failed": ("That did not work: {error}", "Cela n'a pas marché : {error}"),
    "modal.title": ("Reject pitch", "Refuser"),
    "modal.submit": ("Reject", "Refuser"),
    "modal.close": ("Cancel", "Annuler"),
    "modal.intro": (
        "Rejecting *{label}*. Your reason teaches trendbot what not to pitch.",
        "Refus de *{label}*. Votre raison apprend à trendbot ce qu'il ne faut pas proposer.",
    ),
    "modal.reason": ("Why not?", "Pourquoi pas ?"),
    "modal.placeholder": (
        "e.g. too political, competitor's story, old news",
        "ex. trop politique, sujet d'un concurrent, déjà vu",
    ),
    # states -------------------------------------------------------------------------------------
    "state.proposed": ("proposed", "proposée"),
    "state.posted": ("waiting for a decision", "en attente de décision"),
    "state.approved": ("approved", "validée"),
    "state.rejected": ("rejected", "refusée"),
    "state.snoozed": ("snoozed", "mise de côté"),
    "state.expired": ("expired", "expirée"),
    "story.new": ("new", "nouveau"),
    "story.rising": ("rising", "en hausse"),
    "story.peaking": ("peaking", "au plus haut"),
    "story.fading": ("fading", "en baisse"),
    # /trend -------------------------------------------------------------------------------------
    "help": (
        "*/trend* shows what is rising and pitches post ideas. Add `share` at the end to post "
        "the answer in the channel.\n"
        "• `/trend top [N] [theme]`: the N stories rising now (5 by default)\n"
        "• `/trend search WORDS`: stories about these words\n"
        "• `/trend why STORY`: why a story is rising (STORY: its id or a few words)\n"
        "• `/trend pitch STORY`: preview a post idea for a story, only you see it; "
        "`/trend pitch STORY save` queues it for the editors\n"
        "• `/trend themes`, `/trend theme add NAME: description` (editors)\n"
        "• `/trend feeds`, `/trend feed add URL` (editors)\n"
        "• `/trend mute WORDS|STORY`, `/trend unmute WORDS|STORY`\n"
        "• `/trend stats`: pitches, approval rate, how fast\n"
        "In a pitch's thread, editors reply `ok`, `reject: reason` or `edit: new text`.",
        "*/trend* montre ce qui monte et propose des idées de publication. Ajoutez `share` à la "
        "fin pour publier la réponse dans le canal.\n"
        "• `/trend top [N] [thème]` : les N sujets qui montent (5 par défaut)\n"
        "• `/trend search MOTS` : les sujets sur ces mots\n"
        "• `/trend why SUJET` : pourquoi un sujet monte (SUJET : son numéro ou quelques mots)\n"
        "• `/trend pitch SUJET` : un aperçu de publication sur ce sujet, pour vous seul ; "
        "`/trend pitch SUJET save` la met en file pour les éditeurs\n"
        "• `/trend themes`, `/trend theme add NOM: description` (éditeurs)\n"
        "• `/trend feeds`, `/trend feed add URL` (éditeurs)\n"
        "• `/trend mute MOTS|SUJET`, `/trend unmute MOTS|SUJET`\n"
        "• `/trend stats` : propositions, taux de validation, délais\n"
        "Dans le fil d'une proposition, les éditeurs répondent `oui`, `refuser : raison` ou "
        "`modifier : nouveau texte`.",
    ),
    "usage.unknown": (
        "I don't know `{word}`. Type `/trend help` to see what I can do.",
        "Je ne connais pas `{word}`. Tapez `/trend help` pour voir ce que je sais faire.",
    ),
    "usage.top": (
        "Type `/trend top [N] [theme]` with N from 1 to {max}, e.g. `/trend top 3`.",
        "Tapez `/trend top [N] [thème]` avec N de 1 à {max}, ex. `/trend top 3`.",
    ),
    "usage.search": (
        "Type `/trend search WORDS`, e.g. `/trend search heatwave`.",
        "Tapez `/trend search MOTS`, ex. `/trend search canicule`.",
    ),
    "usage.why": (
        "Type `/trend why STORY` with a story id or a few words, e.g. `/trend why 42`.",
        "Tapez `/trend why SUJET` avec un numéro de sujet ou quelques mots, ex. `/trend why 42`.",
    ),
    "usage.pitch": (
        "Type `/trend pitch STORY` with a story id or a few words, e.g. `/trend pitch 42`.",
        "Tapez `/trend pitch SUJET` avec un numéro de sujet ou quelques mots, "
        "ex. `/trend pitch 42`.",
    ),
    "usage.theme_add": (
        "Type `/trend theme add NAME: description`, e.g. "
        "`/trend theme add Summer: heatwaves, holidays, beaches`.",
        "Tapez `/trend theme add NOM: description`, ex. "
        "`/trend theme add Été: canicule, vacances, plages`.",
    ),
    "usage.feed_add": (
        "Type `/trend feed add URL` with the feed's http(s) address.",
        "Tapez `/trend feed add URL` avec l'adresse http(s) du flux.",
    ),
    "usage.mute": (
        "Type `/trend mute WORDS` or `/trend mute STORY-ID`, e.g. `/trend mute election`.",
        "Tapez `/trend mute MOTS` ou `/trend mute NUMÉRO`, ex. `/trend mute élection`.",
    ),
    "usage.unmute": (
        "Type `/trend unmute WORDS` or `/trend unmute STORY-ID`, as you muted it.",
        "Tapez `/trend unmute MOTS` ou `/trend unmute NUMÉRO`, comme pour le masquer.",
    ),
    "usage.no_args": (
        "`/trend {word}` takes nothing after it: type `/trend {word}`.",
        "`/trend {word}` ne prend rien après : tapez `/trend {word}`.",
    ),
    "unknown_theme": (
        "No theme called `{theme}`. Themes: {themes}.",
        "Aucun thème `{theme}`. Thèmes : {themes}.",
    ),
    "no_story": (
        "No story matches `{ref}`. Try `/trend top` or `/trend search WORDS`.",
        "Aucun sujet ne correspond à `{ref}`. Essayez `/trend top` ou `/trend search MOTS`.",
    ),
    "working.pitch": (
        "Drafting a pitch for `{ref}`…",
        "Je rédige une proposition pour `{ref}`…",
    ),
    "working.feed_add": (
        "Checking {url} (I fetch it once before saving it)…",
        "Je vérifie {url} (je le télécharge une fois avant de l'enregistrer)…",
    ),
    "error": ("⚠️ {error}", "⚠️ {error}"),
    "error.unexpected": (
        "⚠️ Something went wrong on our side; it is in the bot's log. Try again in a minute.",
        "⚠️ Un problème de notre côté ; il est dans le journal du bot. Réessayez dans une minute.",
    ),
    "top.title": ("*Rising now*{theme}", "*Ce qui monte*{theme}"),
    "top.theme": (" in *{theme}*", " dans *{theme}*"),
    "top.empty": (
        "Nothing is rising right now{theme}. Try again later or `/trend search WORDS`.",
        "Rien ne monte en ce moment{theme}. Réessayez plus tard ou `/trend search MOTS`.",
    ),
    "search.title": ("*Stories about “{words}”*", "*Sujets sur « {words} »*"),
    "search.empty": (
        "No story about “{words}” in the last days.",
        "Aucun sujet sur « {words} » ces derniers jours.",
    ),
    "story.line": (
        "*{rank}. {label}* · {state} · score {score} · {sources} sources · id `{id}`{flags}\n"
        "      {why_now} {sparkline}",
        "*{rank}. {label}* · {state} · score {score} · {sources} sources · n° `{id}`{flags}\n"
        "      {why_now} {sparkline}",
    ),
    "story.theme_flag": (" · {theme}", " · {theme}"),
    "story.caution_flag": (" · ⚠️ caution", " · ⚠️ prudence"),
    "story.muted_flag": (" · 🔇 muted", " · 🔇 masqué"),
    "story.trending_flag": (" · 🔎 trending search", " · 🔎 recherche tendance"),
    "why.title": (
        "*{label}* (id `{id}`): {state}, score {score}",
        "*{label}* (n° `{id}`) : {state}, score {score}",
    ),
    "why.momentum": (
        "*Why now:* {why_now} {sparkline}",
        "*Pourquoi maintenant :* {why_now} {sparkline}",
    ),
    "why.growth": (
        "*Predicted reach, driven by:* {drivers}",
        "*Portée prévue, surtout due à :* {drivers}",
    ),
    "why.size": (
        "{size} articles from {sources} sources since {first_seen}; last one {last_seen}",
        "{size} articles de {sources} sources depuis {first_seen} ; le dernier {last_seen}",
    ),
    "why.traffic": ("Searches: about {traffic}", "Recherches : environ {traffic}"),
    "why.keywords": ("Keywords: {keywords}", "Mots-clés : {keywords}"),
    "why.themes": ("*Themes:* {themes}", "*Thèmes :* {themes}"),
    "why.no_theme": (
        "*Themes:* none of the brand's themes fits",
        "*Thèmes :* aucun thème de la marque",
    ),
    "why.theme": ("{theme} ({relevance}, {evidence})", "{theme} ({relevance}, {evidence})"),
    "why.safe": ("*Safety:* ✅ brand-safe", "*Sécurité :* ✅ sans risque"),
    "why.caution": ("*Safety:* ⚠️ caution: {reason}", "*Sécurité :* ⚠️ prudence : {reason}"),
    "why.blocked": (
        "*Safety:* ⛔ never pitched: {reason}",
        "*Sécurité :* ⛔ jamais proposé : {reason}",
    ),
    "why.muted": ("🔇 Muted: it will not be pitched.", "🔇 Masqué : il ne sera pas proposé."),
    "why.pitched": ("*Pitched:* pitch #{pitch_id}", "*Proposé :* proposition n°{pitch_id}"),
    "why.held": (
        "*Not pitched:* {reason}: {detail} ({when})",
        "*Pas proposé :* {reason} : {detail} ({when})",
    ),
    "why.undecided": (
        "*Not pitched yet:* the next cycle decides.",
        "*Pas encore proposé :* le prochain cycle décidera.",
    ),
    "why.not_rising": (
        "*Not pitched:* it is not rising (only rising stories are pitched).",
        "*Pas proposé :* il ne monte pas (seuls les sujets en hausse sont proposés).",
    ),
    # why a story was held back (the pipeline's and cadence's reasons)
    "held.muted": ("muted", "masqué"),
    "held.blocked": ("blocked by brand safety", "bloqué (sécurité de la marque)"),
    "held.no_theme": ("no theme fits", "aucun thème"),
    "held.weak_fit": ("theme too loose", "thème trop lointain"),
    "held.draft_failed": ("the draft failed its checks", "le texte a échoué aux contrôles"),
    "held.queued": ("queued", "en file"),
    "held.outranked": ("outranked by stronger stories", "devancé par des sujets plus forts"),
    "held.quiet_hours": ("quiet hours", "heures calmes"),
    "held.daily_limit": ("daily limit reached", "limite du jour atteinte"),
    "held.monthly_limit": ("monthly limit reached", "limite du mois atteinte"),
    "held.low_score": ("score too low", "score trop bas"),
    "held.fading": ("fading", "en baisse"),
    "held.stale": ("too old", "trop ancien"),
    "held.already_pitched": ("already pitched", "déjà proposé"),
    "why.links": ("*Sources:*\n{links}", "*Sources :*\n{links}"),
    "pitch.posted": (
        "Queued: pitch #{pitch_id} for *{label}* is in <#{channel}> for the editors to approve; "
        "it counts toward today's pitches.",
        "En file : la proposition n°{pitch_id} sur *{label}* est dans <#{channel}> pour les "
        "éditeurs ; elle compte dans les propositions du jour.",
    ),
    "pitch.queued": (
        "Queued: pitch #{pitch_id} for *{label}* will be posted in the channel by the next "
        "cycle (Slack said: {error}).",
        "En file : la proposition n°{pitch_id} sur *{label}* sera publiée dans le canal au "
        "prochain cycle (Slack a répondu : {error}).",
    ),
    "pitch.preview": (
        "👀 *Preview:* a pitch for *{label}* · theme *{theme}* · score {score}",
        "👀 *Aperçu :* une proposition sur *{label}* · thème *{theme}* · score {score}",
    ),
    "pitch.preview_only": (
        "_Preview only — not queued: nothing was saved. To queue it for the editors, type "
        "`/trend pitch {story_id} save`._",
        "_Aperçu seulement, pas mis en file : rien n'a été enregistré. Pour le proposer aux "
        "éditeurs, tapez `/trend pitch {story_id} save`._",
    ),
    "themes.title": ("*Themes of {brand}*", "*Thèmes de {brand}*"),
    "themes.line": ("• *{name}*: {description}", "• *{name}* : {description}"),
    "theme.added": (
        "Theme *{name}* added to feeds.yaml: stories about it will be pitched from the next cycle.",
        "Thème *{name}* ajouté à feeds.yaml : les sujets correspondants seront proposés dès le "
        "prochain cycle.",
    ),
    "feeds.title": ("*Feeds ({count})*", "*Flux ({count})*"),
    "feeds.empty": (
        "No feeds yet. Add one with `/trend feed add URL`.",
        "Aucun flux. Ajoutez-en un avec `/trend feed add URL`.",
    ),
    "feeds.ok": ("✅ *{name}* ({kind}): last read {when}", "✅ *{name}* ({kind}) : lu {when}"),
    "feeds.never": ("⏳ *{name}* ({kind}): not read yet", "⏳ *{name}* ({kind}) : pas encore lu"),
    "feeds.failing": (
        "⚠️ *{name}* ({kind}): failing: {error}",
        "⚠️ *{name}* ({kind}) : en échec : {error}",
    ),
    "feeds.disabled": (
        "⛔ *{name}* ({kind}): paused after repeated failures: {error}",
        "⛔ *{name}* ({kind}) : en pause après des échecs répétés : {error}",
    ),
    "feed.added": (
        "Feed *{name}* added: its stories count from the next cycle.",
        "Flux *{name}* ajouté : ses articles comptent dès le prochain cycle.",
    ),
    "muted": (
        "🔇 Muted {what}: it will not be pitched. `/trend unmute {ref}` to undo.",
        "🔇 {what} masqué : il ne sera pas proposé. `/trend unmute {ref}` pour annuler.",
    ),
    "unmuted": ("🔈 Unmuted `{ref}`.", "🔈 `{ref}` n'est plus masqué."),
    "not_muted": (
        "Nothing muted matches `{ref}`: nothing changed.",
        "Rien de masqué ne correspond à `{ref}` : rien n'a changé.",
    ),
    "stats.title": ("*trendbot for {brand}*", "*trendbot pour {brand}*"),
    "stats.pitches": (
        "Pitches: {week} this week, {month} this month",
        "Propositions : {week} cette semaine, {month} ce mois-ci",
    ),
    "stats.decisions": (
        "Approved {approved}, rejected {rejected}: approval rate {rate}",
        "Validées {approved}, refusées {rejected} : taux de validation {rate}",
    ),
    "stats.speed": (
        "Median time from first article to pitch: {to_pitch}; from pitch to decision: "
        "{to_decision}",
        "Délai médian du premier article à la proposition : {to_pitch} ; de la proposition à la "
        "décision : {to_decision}",
    ),
    "stats.none": ("n/a", "n/d"),
    "minutes": ("{minutes} min", "{minutes} min"),
    "hours": ("{hours} h", "{hours} h"),
    # errors for admins (logs, CLI) and users (ephemeral) ---------------------------------------
    "slack.not_in_channel": (
        "the bot cannot post in {channel}: invite it there (`/invite @trendbot`) or fix "
        "slack.channel in feeds.yaml",
        "le bot ne peut pas publier dans {channel} : invitez-le (`/invite @trendbot`) ou "
        "corrigez slack.channel dans feeds.yaml",
    ),
    "slack.channel_unknown": (
        "no channel named {channel} that the bot can see: use the channel ID (C…) in "
        "slack.channel, or invite the bot to it",
        "aucun canal {channel} visible du bot : mettez l'identifiant (C…) dans slack.channel, "
        "ou invitez-y le bot",
    ),
    "slack.auth": (
        "Slack refused the bot token ({error}): check SLACK_BOT_TOKEN",
        "Slack refuse le jeton du bot ({error}) : vérifiez SLACK_BOT_TOKEN",
    ),
    "slack.scope": (
        "the Slack app lacks the scope {scope}: add it (see `trendbot slack manifest`) and "
        "reinstall the app",
        "il manque la permission {scope} à l'app Slack : ajoutez-la (voir "
        "`trendbot slack manifest`) et réinstallez l'app",
    ),
    "slack.down": (
        "Slack is unavailable ({error}): trendbot will try again on its next cycle",
        "Slack est indisponible ({error}) : trendbot réessaiera au prochain cycle",
    ),
    "slack.refused": (
        "Slack refused {method} ({error}) in {channel}",
        "Slack a refusé {method} ({error}) dans {channel}",
    ),
    "slack.no_card": (
        "pitch #{pitch_id} has no Slack card yet: post it first",
        "la proposition n°{pitch_id} n'a pas encore de carte Slack : publiez-la d'abord",
    ),
    "slack.no_token": (
        "SLACK_BOT_TOKEN is not set: create the app from `trendbot slack manifest`, install it "
        "and export its bot token",
        "SLACK_BOT_TOKEN n'est pas défini : créez l'app avec `trendbot slack manifest`, "
        "installez-la et exportez son jeton de bot",
    ),
    "slack.no_signing_secret": (
        "SLACK_SIGNING_SECRET is not set: copy it from the app's Basic Information page, or set "
        "SLACK_APP_TOKEN to use Socket Mode",
        "SLACK_SIGNING_SECRET n'est pas défini : copiez-le depuis la page Basic Information de "
        "l'app, ou définissez SLACK_APP_TOKEN pour le mode Socket",
    ),
    "slack.no_app_token": (
        "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with the "
        "connections:write scope",
        "SLACK_APP_TOKEN n'est pas défini : le mode Socket demande un jeton d'app (xapp-…) avec "
        "la permission connections:write",
    ),
    "slack.request_url": (
        "HTTP mode needs the public address of /slack/events: pass --request-url "
        "https://your-host/slack/events, or use Socket Mode",
        "le mode HTTP demande l'adresse publique de /slack/events : passez --request-url "
        "https://votre-hote/slack/events, ou utilisez le mode Socket",
    ),
}


class Messages:
    """The wording of one language: `msg("help")`, `msg("muted", what=..., ref=...)`."""

    def __init__(self, language: str | None = "en") -> None:
        self.language = "fr" if base_language(language) == "fr" else "en"
        self._index = LANGUAGES.index(self.language)

    def __call__(self, key: str, /, **fields: Any) -> str:
        return TEXTS[key][self._index].format(**fields)


def fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
