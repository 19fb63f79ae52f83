"""Getting feed documents over HTTP (httpx): conditional GET, redirects by hand, size and address
guards. Parsing is parse.py's job: any content type is returned as it came."""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType

import httpx

from trendbot import __version__
from trendbot.errors import FetchError

USER_AGENT = f"trendbot/{__version__} (+https://github.com/trendbot/trendbot)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# cloud instance-metadata endpoints: a feed URL pointing there would leak credentials
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TOTAL_TIME_FACTOR = 3  # a whole fetch (redirects, slow trickle of bytes) gets 3 x the timeout

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    permanent_url: str | None  # set when every redirect was permanent (301/308): remember it
    status: int  # 200 (or another 2xx) or 304
    content: bytes | None  # None on 304
    content_type: str | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class FetchRequest:
    key: str  # the feed's name
    url: str
    etag: str | None = None
    last_modified: str | None = None


def is_public_address(address: IPAddress) -> bool:
    """False for loopback, private, link-local, multicast, reserved and metadata addresses,
    including IPv4 ones hidden in IPv6 (::ffff:10.0.0.1, 2002:7f00:1::, 64:ff9b::a00:1)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return not (
        address in METADATA_ADDRESSES
        or not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Retry-After in seconds from `now`: either a number of seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def status_error(status: int, url: str, headers: httpx.Headers) -> FetchError:
    """The error for an HTTP status that is neither success, 304 nor a redirect."""
    retry_after = None
    if status in (429, 503) and "retry-after" in headers:
        retry_after = parse_retry_after(headers["retry-after"], datetime.now(UTC))
    if status == 410:
        message = "feed is gone (410): remove it from feeds.yaml"
    elif status == 404:
        message = "feed not found (404): check its URL in feeds.yaml"
    elif status in (401, 403):
        message = f"access denied ({status}): the site refuses trendbot; check the URL"
    elif status == 429:
        message = "rate limited (429): the site asks trendbot to slow down; it will retry later"
    elif status >= 500:
        message = f"server error ({status}): the site has a problem; trendbot will retry later"
    else:
        message = f"unexpected HTTP status {status}: check the feed's URL in feeds.yaml"
    return FetchError(message, url=url, status=status, retry_after=retry_after)


class Fetcher:
    """One shared HTTP client for every feed. `timeout` is per connect / read (seconds);
    `allow_private` lets feeds on local or private addresses through (tests, intranet feeds)."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int = 10 * 2**20,
        max_redirects: int = 5,
        allow_private: bool = False,
        concurrency: int = 8,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.concurrency = max(1, concurrency)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,  # by hand, so each hop's address is checked
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            transport=transport,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def check_url(self, url: httpx.URL, *, asked: str) -> None:
        """Raise FetchError unless `url` is http(s) on a host we may fetch from."""
        if url.scheme not in ("http", "https"):
            raise FetchError("only http:// and https:// feeds are supported", url=asked)
        if not url.host:
            raise FetchError("the feed URL has no host name: check it in feeds.yaml", url=asked)
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(url.host, url.port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as e:
            raise FetchError(
                f"cannot resolve host {url.host!r}: check the feed URL", url=asked
            ) from e
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if not is_public_address(address):
                raise FetchError(
                    f"refused: {url.host} is a private or local address ({address}); to fetch"
                    " it, set fetch.allow_private: true in feeds.yaml",
                    url=asked,
                )

    def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url`, sending the validators of the last fetch; raises FetchError."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + TOTAL_TIME_FACTOR * self.timeout
        try:
            current = httpx.URL(url.strip())
        except (httpx.InvalidURL, ValueError, TypeError) as e:
            raise FetchError("not a valid URL: check it in feeds.yaml", url=url) from e
        visited = {str(current)}
        permanent = True
        for _ in range(self.max_redirects + 1):
            self.check_url(current, asked=url)
            try:
                with self._client.stream("GET", current, headers=headers) as response:
                    status = response.status_code
                    location = response.headers.get("location")
                    if status not in REDIRECTS or not location:
                        result = self._result(url, current, response, deadline)
                        moved = str(current) if permanent and len(visited) > 1 else None
                        if status == 304:  # it may omit the validators: ours are still current
                            return replace(
                                result,
                                permanent_url=moved,
                                etag=result.etag or etag,
                                last_modified=result.last_modified or last_modified,
                            )
                        return replace(result, permanent_url=moved)
            except httpx.TimeoutException as e:
                raise FetchError(
                    f"timed out after {self.timeout:g} s: the site is slow or down", url=url
                ) from e
            except httpx.HTTPError as e:
                raise FetchError(_network_message(e), url=url) from e
            permanent = permanent and status in PERMANENT_REDIRECTS
            try:
                current = current.join(location.strip())
            except (httpx.InvalidURL, ValueError) as e:
                raise FetchError("the site redirects to an invalid URL", url=url) from e
            if str(current) in visited:
                raise FetchError(f"redirect loop at {current}: check the feed URL", url=url)
            visited.add(str(current))
        raise FetchError(
            f"too many redirects (more than {self.max_redirects}): check the feed URL", url=url
        )

    def _result(
        self, url: str, current: httpx.URL, response: httpx.Response, deadline: float
    ) -> FetchResult:
        status = response.status_code
        if status != 304 and not 200 <= status < 300:
            raise status_error(status, url, response.headers)
        content = None
        if status != 304:
            content = self._read_body(url, response, deadline)
        else:
            response.read()  # an unread 304 would close the connection instead of reusing it
        return FetchResult(
            url=url,
            final_url=str(current),
            permanent_url=None,
            status=status,
            content=content,
            content_type=response.headers.get("content-type"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    def _read_body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        too_large = FetchError(f"feed is larger than {_size(self.max_bytes)}", url=url)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large
        chunks, total = [], 0
        for chunk in response.iter_bytes():  # decompressed: a gzip bomb is caught here too
            total += len(chunk)
            if total > self.max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise FetchError(
                    f"took longer than {TOTAL_TIME_FACTOR * self.timeout:g} s to download",
                    url=url,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def fetch_many(
        self, requests: Sequence[FetchRequest]
    ) -> Iterator[tuple[FetchRequest, FetchResult | FetchError]]:
        """Fetch several feeds at once (at most `concurrency`), yielding each as it finishes."""
        if not requests:
            return
        workers = min(self.concurrency, len(requests))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="trendbot-fetch")
        try:
            futures = {pool.submit(self._fetch_or_error, r): r for r in requests}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _fetch_or_error(self, request: FetchRequest) -> FetchResult | FetchError:
        try:
            return self.fetch(request.url, etag=request.etag, last_modified=request.last_modified)
        except FetchError as e:
            return e
        except Exception as e:  # a bug with one feed must not stop the others
            error = FetchError("unexpected error while fetching the feed", url=request.url)
            error.__cause__ = e
            return error


def _network_message(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "cannot connect: the site is down or the address is wrong"
    if isinstance(error, httpx.DecodingError):
        return "the server sent a broken compressed response"
    if isinstance(error, httpx.RemoteProtocolError):
        return "the server sent a broken HTTP response"
    return "network error while fetching the feed"
