"""Every word trendbot says, in English and French, chosen by the brand's language: Slack
messages, the terminal, and the "why now" lines stored with each story.

Texts are `str.format` templates (Slack mrkdwn for the Slack keys). A test checks that both
languages have every key and the same fields, and that every key the package uses exists.
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
    # a pitched story that brand safety turned against since: said in the card's thread
    "thread.caution": (
        "⚠️ Careful: this story now needs a person's call. {reason}",
        "⚠️ Attention : cette actu demande désormais un avis humain. {reason}",
    ),
    # a pitched story that moved on since the card: its state, then why ("Rising: 20 sources…")
    "thread.news": ("{state}: {why}", "{state} : {why}"),
    # ...and its newest headline, when the card did not show it
    "thread.latest": ("Latest: “{title}” ({source})", "Dernier titre : « {title} » ({source})"),
    "thread.blocked": (
        "⛔ Brand safety now blocks this story: do not post it. {reason}",
        "⛔ La sécurité de marque bloque désormais cette actu : ne la publiez pas. {reason}",
    ),
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
    # a pitch that brand safety turned against after its card (the thread said so)
    "card.blocked": (
        "⛔ *Blocked:* {reason} Do not post it.",
        "⛔ *Bloquée :* {reason} Ne la publiez pas.",
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
    # digests and the Home tab -------------------------------------------------------------------
    "digest.fallback": (
        "{brand}: {count} stories rose since {since}",
        "{brand} : {count} sujets en hausse depuis {since}",
    ),
    "digest.header": (
        "☕ {brand}: what rose since {since}",
        "☕ {brand} : en hausse depuis {since}",
    ),
    "digest.empty": (
        "Nothing rose on {brand}'s themes since {since}.",
        "Rien n'est monté sur les thèmes de {brand} depuis {since}.",
    ),
    "digest.theme": ("*{theme}*", "*{theme}*"),
    "digest.entry": ("*{label}* · {why_now}", "*{label}* · {why_now}"),
    "digest.pitched": ("pitched: #{pitch_id}", "proposé : n°{pitch_id}"),
    "digest.caution": ("⚠️ {reason}", "⚠️ {reason}"),
    "button.draft_now": ("Draft a pitch", "Rédiger une proposition"),
    "digest.drafted": (
        "<@{user}> asked for a pitch: #{pitch_id} is queued for {channel}.",
        "<@{user}> a demandé une proposition : la n°{pitch_id} part vers {channel}.",
    ),
    "digest.already": (
        "<@{user}>, this story has its pitch already: #{pitch_id}.",
        "<@{user}>, cette histoire a déjà sa proposition : n°{pitch_id}.",
    ),
    "digest.not_drafted": (
        "No pitch for {label}: {reason}",
        "Pas de proposition pour {label} : {reason}",
    ),
    # "Pitch this" on a message with a link -----------------------------------------------------
    "shortcut.no_link": (
        "There is no link in that message: *Pitch this* works on a message with an article's link.",
        "Ce message n'a pas de lien : *Pitch this* s'utilise sur un message avec le lien d'un "
        "article.",
    ),
    "shortcut.pitched": (
        "Pitch #{pitch_id} on *{theme}*: its card is in {channel} for the editors.",
        "Proposition n°{pitch_id} sur *{theme}* : sa carte attend les éditeurs dans {channel}.",
    ),
    "shortcut.already": (
        "*{label}* was pitched already: #{pitch_id}.",
        "*{label}* a déjà été proposé : n°{pitch_id}.",
    ),
    "shortcut.unsafe": (
        "No pitch for *{label}*: not brand-safe. {reason}",
        "Pas de proposition pour *{label}* : risqué pour la marque. {reason}",
    ),
    "shortcut.off_theme": (
        "No pitch for *{label}*: it fits none of the brand's themes.",
        "Pas de proposition pour *{label}* : aucun des thèmes de la marque ne lui correspond.",
    ),
    "shortcut.no_story": (
        "No pitch for *{label}*: the article could not be read into a story.",
        "Pas de proposition pour *{label}* : l'article n'a pas pu être rattaché à une histoire.",
    ),
    "shortcut.failed": (
        "Could not read {url}: {error}",
        "Impossible de lire {url} : {error}",
    ),
    "home.header": ("trendbot", "trendbot"),
    "home.brands": ("Brands: {brands}", "Marques : {brands}"),
    "home.rising": ("*Rising now*", "*En hausse maintenant*"),
    "home.no_rising": (
        "Nothing on your themes is rising right now.",
        "Rien ne monte sur vos thèmes en ce moment.",
    ),
    "home.awaiting": ("*Awaiting a decision ({count})*", "*En attente de décision ({count})*"),
    "home.no_awaiting": ("No pitch is waiting for you.", "Aucune proposition ne vous attend."),
    "home.pitch": (
        "*#{pitch_id}* {label} · _{theme}_ · {brand}",
        "*n°{pitch_id}* {label} · _{theme}_ · {brand}",
    ),
    "home.week": (
        "*This week* · {proposed} pitched · {approved} approved · {rejected} rejected",
        "*Cette semaine* · {proposed} proposées · {approved} validées · {rejected} refusées",
    ),
    "home.more": ("…and {count} more in /trend pitches", "…et {count} autres dans /trend pitches"),
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
    "usage.brand": (
        "`--brand` needs a brand's name, e.g. `/trend top --brand daybreak-coffee`.",
        "`--brand` attend le nom d'une marque, par ex. `/trend top --brand maison-brioche`.",
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
    "held.tragedy": (
        "a death, a disaster or violence: an editor decides",
        "un décès, une catastrophe ou des violences : un éditeur décide",
    ),
    "held.caution": (
        "brand safety asks for care: an editor decides",
        "la sécurité de la marque demande de la prudence : un éditeur décide",
    ),
    "held.no_theme": ("no theme fits", "aucun thème"),
    "held.weak_fit": ("weak theme fit", "lien trop faible avec un thème"),
    "held.elsewhere": (
        "fits a theme, but none of its places",
        "va à un thème, mais à aucun de ses lieux",
    ),
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
    "pitch.preview_blocked": (
        "_Preview only: brand safety blocks this story, so it cannot be queued._",
        "_Aperçu seulement : la sécurité de marque bloque ce sujet, il ne peut pas être mis en "
        "file._",
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
    # "why now": momentum and predicted reach, stored with each story -------------------------
    # a pitch that waited for the end of the brand's quiet hours: why it comes now, faded
    "trend.overnight": (
        "Rose during quiet hours ({quiet}), kept for the morning; now {why}",
        "Montée pendant les heures calmes ({quiet}), gardée pour le matin ; maintenant {why}",
    ),
    "trend.one_source": ("1 source in {window}", "1 source en {window}"),
    "trend.sources": ("{count} sources in {window}", "{count} sources en {window}"),
    "trend.faster": ("×{ratio} the usual rate", "×{ratio} le rythme habituel"),
    "trend.slower": ("below the usual rate", "sous le rythme habituel"),
    "trend.google": ("in Google Trends", "dans Google Trends"),
    "trend.google_traffic": ("in Google Trends ~{traffic}", "dans Google Trends ~{traffic}"),
    "growth.reach": (
        "expected to reach ~{publishers} sources {when} (±{error} %)",
        "devrait atteindre ~{publishers} sources {when} (±{error} %)",
    ),
    "growth.reach_from": (
        "expected to reach ~{publishers} sources {when} ({so_far} so far, ±{error} %)",
        "devrait atteindre ~{publishers} sources {when} ({so_far} jusqu'ici, ±{error} %)",
    ),
    "growth.stays_one": (
        "1 source so far, not expected to grow (±{error} %)",
        "1 source jusqu'ici, ne devrait pas grandir (±{error} %)",
    ),
    "growth.stays": (
        "{so_far} sources so far, not expected to grow (±{error} %)",
        "{so_far} sources jusqu'ici, ne devrait pas grandir (±{error} %)",
    ),
    "growth.within_hour": ("within the hour", "dans l'heure"),
    "growth.in_hours": ("in {hours} h", "en {hours} h"),
    # what drives the predicted reach: one per growth.FEATURES
    "growth.part.age": ("age", "âge"),
    "growth.part.publishers": ("publishers so far", "médias jusqu'ici"),
    "growth.part.items": ("articles so far", "articles jusqu'ici"),
    "growth.part.publishers_1h": ("publishers in the last hour", "médias dans la dernière heure"),
    "growth.part.publishers_3h": (
        "publishers in the last 3 h",
        "médias dans les 3 dernières heures",
    ),
    "growth.part.publishers_6h": (
        "publishers in the last 6 h",
        "médias dans les 6 dernières heures",
    ),
    "growth.part.pace": ("publishers per hour", "médias par heure"),
    "growth.part.pace_3h": ("publishers per hour lately", "médias par heure récemment"),
    "growth.part.items_1h": ("articles in the last hour", "articles dans la dernière heure"),
    "growth.part.second": ("time to a 2nd publisher", "délai avant un 2e média"),
    "growth.part.third": ("time to a 3rd publisher", "délai avant un 3e média"),
    "growth.part.first_hour": ("publishers in its first hour", "médias dans sa première heure"),
    "growth.part.listed": ("still listed", "encore à la une"),
    "growth.part.span": ("time listed", "durée à la une"),
    "growth.part.kept": ("share of its life listed", "part de sa vie à la une"),
    "growth.part.stale": ("time since last listed", "temps depuis sa dernière présence"),
    "growth.part.share": ("share of the stream", "part du flux"),
    "growth.part.weight": ("publishers' weight", "poids des médias"),
    "growth.part.max_weight": ("broadest publisher", "média le plus large"),
    "growth.part.quiet": ("time since the last article", "temps depuis le dernier article"),
    "growth.part.trending": ("Google Trends", "Google Trends"),
    "growth.part.traffic": ("search traffic", "volume de recherches"),
    "growth.part.hour_sin": ("time of day", "heure de la journée"),
    "growth.part.hour_cos": ("time of day", "heure de la journée"),
    "growth.part.day_sin": ("day of the week", "jour de la semaine"),
    "growth.part.day_cos": ("day of the week", "jour de la semaine"),
    "growth.part.top": ("best position in a ranked feed", "meilleure place dans un fil classé"),
    # the terminal (console.py): pitch cards, a replay's summary, the stories table ------------
    # (story states are `story.*`, the writer notes `card.writer_*`, as on Slack)
    "console.colon": (": ", " : "),
    "console.pitch": ("Pitch", "Proposition"),
    "console.theme": ("Theme", "Thème"),
    "console.angle": ("Angle", "Angle"),
    "console.post": ("Post", "Publication"),
    "console.hashtags": ("Hashtags", "Hashtags"),
    "console.visual": ("Visual idea", "Idée de visuel"),
    "console.why_now": ("Why now", "Pourquoi maintenant"),
    "console.safety": ("Safety", "Sécurité"),
    "console.safe": ("✅ brand-safe", "✅ sans risque pour la marque"),
    "console.caution": (
        "⚠ caution: {reason} Read the sources first.",
        "⚠ prudence : {reason} Lisez les sources d'abord.",
    ),
    "console.blocked_pitch": (
        "⛔ blocked: {reason} Do not post it.",
        "⛔ bloquée : {reason} Ne la publiez pas.",
    ),
    "safety.since_pitched": ("Since pitched: {reason}", "Depuis la proposition : {reason}"),
    "console.sources": ("Sources", "Sources"),
    "console.none": ("(none)", "(aucun)"),
    "console.summary": ("Replay summary", "Bilan du rejeu"),
    "console.items": ("items replayed", "articles rejoués"),
    "console.cycles": ("cycles", "cycles"),
    "console.stories": ("stories", "sujets"),
    "console.rising": ("rising at some point", "en hausse à un moment"),
    "console.pitched": ("pitched", "proposés"),
    "console.blocked": ("blocked by brand safety", "bloqués (sécurité de la marque)"),
    "console.held": ("stories held back", "sujets retenus"),
    "console.one_publisher": (
        "Nothing rose: every item is from one publisher ({publisher}), and a story rises when"
        " several publishers carry it. Replay a stream of several outlets (a Google News feed"
        " names each article's publisher).",
        "Rien n'est monté : tous les articles viennent d'une seule source ({publisher}), et un"
        " sujet monte quand plusieurs sources le reprennent. Rejouez un flux de plusieurs"
        " médias (un flux Google News nomme la source de chaque article).",
    ),
    "console.by_reason": (", by reason: ", ", par raison : "),
    "console.top_held": (
        "Rose but not pitched: those that fit your themes first, then near misses, then best score",
        "En hausse mais pas proposés : ceux qui vont à vos thèmes d'abord, puis ceux qui les"
        " manquent de peu, puis meilleur score",
    ),
    "console.held_all": (
        "Every story held back, dated: `trendbot held --since` and the replay's length (`30d`,"
        " `120d`)",
        "Tous les sujets retenus, datés : `trendbot held --since` et la durée rejouée (`30d`,"
        " `120d`)",
    ),
    "console.fits_now": ("  → {theme} {fit} now", "  → {theme} {fit} maintenant"),
    "console.whole_replay": ("whole replay", "la période rejouée"),
    "console.none_held": (
        "No story held back in the {since} up to {now} UTC.",
        "Aucun sujet retenu sur {since} jusqu'au {now} UTC.",
    ),
    "console.held_more": (
        "{shown} of {total} held stories: --limit 0 for all.",
        "{shown} des {total} sujets retenus : --limit 0 pour tous.",
    ),
    "console.held_groups": (
        "Fit a theme|Near misses (a weak fit)|The rest",
        "Vont à un thème|Manquent de peu (un thème de loin)|Les autres",
    ),
    "console.preview": (
        "Preview only: nothing saved or queued. `trendbot pitch {id} --save` queues it.",
        "Aperçu seulement : rien n'est enregistré ni mis en file. `trendbot pitch {id} --save` "
        "le met en file.",
    ),
    "console.preview_blocked": (
        "Preview only: brand safety blocks this story, so `--save` refuses it.",
        "Aperçu seulement : la sécurité de marque bloque ce sujet, `--save` le refuse.",
    ),
    "console.saved": (
        "Saved as pitch #{pitch_id}: it counts toward today's pitches; `trendbot run` posts it.",
        "Enregistrée comme proposition n°{pitch_id} : elle compte dans les propositions du jour ;"
        " `trendbot run` la publie.",
    ),
    "console.score": ("Score", "Score"),
    "console.state": ("State", "État"),
    "console.last_24h": ("Last 24 h", "Dernières 24 h"),
    "console.last_seen": ("Last seen (UTC)", "Vue en dernier (UTC)"),
    "console.none_saying": (
        "No story has a headline saying {words!r}.",
        "Aucune actu n'a de titre qui dise {words!r}.",
    ),
    "console.story": ("Story", "Sujet"),
    "console.muted": ("(muted)", "(en sourdine)"),
    "console.no_stories": ("No live stories yet.", "Aucun sujet en cours."),
    "console.why_not": ("Why not pitched", "Pourquoi pas proposé"),
    "console.pitched_as": ("pitched #{pitch_id}", "proposé n°{pitch_id}"),
    "console.not_rising": ("not rising", "ne monte pas"),
    "console.undecided": ("not decided yet", "pas encore décidé"),
    # the reasons a story was held back, shorter than Slack's `held.*` for a table column
    "console.hold.queued": ("queued", "en file"),
    "console.hold.outranked": ("outranked", "devancé"),
    "console.hold.quiet_hours": ("quiet hours", "heures calmes"),
    "console.hold.daily_limit": ("daily limit reached", "limite du jour atteinte"),
    "console.hold.monthly_limit": ("monthly limit reached", "limite du mois atteinte"),
    "console.hold.low_score": ("score too low", "score trop bas"),
    "console.hold.fading": ("fading", "en baisse"),
    "console.hold.stale": ("stale", "trop ancien"),
    "console.hold.already_pitched": ("already pitched", "déjà proposé"),
    "console.hold.no_theme": ("no theme fits", "aucun thème"),
    "console.hold.weak_fit": ("weak theme fit", "lien trop faible avec un thème"),
    "console.hold.elsewhere": ("not in the theme's places", "hors des lieux du thème"),
    "console.hold.muted": ("muted", "en sourdine"),
    "console.hold.draft_failed": ("draft failed", "texte refusé"),
    "console.hold.blocked": ("blocked", "bloqué"),
    "console.hold.tragedy": (
        "a death, a disaster or violence",
        "un décès, un drame ou des violences",
    ),
    "console.hold.caution": ("brand safety asks for care", "prudence (sécurité de la marque)"),
}


class Messages:
    """The wording of one language: `msg("help")`, `msg("muted", what=..., ref=...)`."""

    def __init__(self, language: str | None = "en") -> None:
        self.language = "fr" if base_language(language) == "fr" else "en"
        self._index = LANGUAGES.index(self.language)

    def __call__(self, key: str, /, **fields: Any) -> str:
        return TEXTS[key][self._index].format(**fields)

    def number(self, text: str) -> str:
        """A number formatted Python's way, in the language's: `1,234.5` -> `1 234,5` in French
        (a narrow no-break space, a decimal comma)."""
        if self.language != "fr":
            return text
        return text.replace(",", "\u202f").replace(".", ",")


def fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
