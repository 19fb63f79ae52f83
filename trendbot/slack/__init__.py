"""trendbot in Slack: pitch cards, decisions by button or thread reply, and /trend.

    app.py        make_app(backend, secrets) · run_socket_mode · start_http · Backend (Protocol)
    poster.py     make_client(secrets) · post_pitch (exactly once) · post_update (in the thread)
    cards.py      Block Kit: cards, decided cards, sources, final copy, reject modal
    commands.py   /trend: parse_command, answer
    replies.py    parse_reply: what an editor's thread reply decides
    messages.py   every word the bot says, English and French
    manifest.py   build_manifest: the Slack app manifest this code needs

Nothing is imported here, so `import trendbot.slack.messages` does not load slack_bolt.
"""
