"""Where items come from: `fetch` (HTTP, I/O), `parse` (feed documents -> items, pure),
`health` (when to fetch each feed again, pure) and `opml` (feed lists from other readers).

Nothing is imported here, so that importing a pure module (parse, health) never loads httpx.
"""
