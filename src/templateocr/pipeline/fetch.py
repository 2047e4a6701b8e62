"""Fetch a request's image ``url``: untrusted input, so guarded against SSRF.

The guard: only ``http`` and ``https``; the host name is resolved here and every address it
resolves to must be public (unless ``FetchPolicy.allow_private``); the connection then goes to
one of those checked addresses, never through a second DNS lookup, so a name cannot resolve to
a public address for the check and a private one for the connection. The request still carries
the original ``Host`` header, and for ``https`` the original name is used for SNI and for the
certificate check. Redirects are followed here, each hop checked the same way. The body is
streamed and abandoned past ``max_bytes``; ``timeout_s`` bounds the whole fetch (name
resolution, connecting, every redirect and the body), not just each read.

Cloud metadata addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200) are refused even
with ``allow_private``: a deployment that lets images come from its own network still has no
reason to let a request read its instance credentials.

HTTP is spoken with ``httpcore`` (the engine under ``httpx``) because it lets a network backend
choose the socket address while the URL keeps the host name. Proxy environment variables are
not used.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import certifi
import httpcore
import httpx

from templateocr.exceptions import ImageTooLargeError, InvalidUrlError

__all__ = ["FetchPolicy", "address_refusal", "fetch_image", "resolve_host"]

_WHERE = "images[0].url"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = b"templateocr"
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchPolicy:
    """How an image ``url`` may be fetched.

    Attributes:
        allow_private: Also fetch from loopback, private, link-local and other non-public
            addresses (never from cloud metadata addresses).
        timeout_s: Limit on the whole fetch, redirects and body included.
        max_bytes: Largest accepted body.
        max_redirects: Redirects followed before giving up.
    """

    allow_private: bool = False
    timeout_s: float = 10.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 3


def _refusal_of(ip: IPAddress) -> str | None:
    """Why one address (not a mapped/embedded form) is not public, or None if it is."""
    checks = (
        (ip.is_unspecified, "an unspecified"),
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local"),
        (not ip.is_global, "a non-public"),
    )
    for refused, kind in checks:
        if refused:
            return f"{kind} address"
    return None


def address_refusal(address: str, *, allow_private: bool = False) -> str | None:
    """Why the image may not be fetched from ``address`` (an IP literal), or None if it may.

    IPv4 addresses embedded in IPv6 ones (IPv4-mapped, 6to4, NAT64) are checked as well.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if allow_private:
        return None
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4-mapped or NAT64 address reaches the IPv4 address inside it: judge that one.
        if ip.ipv4_mapped is not None:
            candidates = [ip.ipv4_mapped]
        elif ip in _NAT64:
            candidates = [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
        elif ip.sixtofour is not None:
            candidates.append(ip.sixtofour)
    for candidate in candidates:
        if candidate in _METADATA_ADDRESSES:
            return "a cloud metadata address"
        reason = _refusal_of(candidate)
        if reason is not None:
            return reason
    return None


def resolve_host(host: str, port: int, timeout_s: float) -> list[str]:
    """Resolve ``host`` to its addresses (IP literals, in resolver order), within ``timeout_s``.

    Raises:
        InvalidUrlError: The name does not resolve, or not in time.
    """
    found: list[str] = []
    failure: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found.extend(str(info[4][0]) for info in infos)
        except (OSError, UnicodeError) as exc:
            failure.append(exc)

    worker = threading.Thread(target=lookup, name="templateocr-resolve", daemon=True)
    worker.start()
    worker.join(max(timeout_s, 0.0))
    if worker.is_alive():
        raise InvalidUrlError(f"{_WHERE}: timed out resolving the host name")
    if failure or not found:
        raise InvalidUrlError(f"{_WHERE}: the host name does not resolve")
    return list(dict.fromkeys(found))


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """Certificate checks against the system store (and ``SSL_CERT_FILE``) plus certifi's."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    return context


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def _budget(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("timed out")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._budget(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._budget(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        budget = self._budget(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, budget), self._deadline)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


_TCP_BACKEND: httpcore.NetworkBackend = httpcore.SyncBackend()


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the checked addresses, whatever host name the URL carries."""

    def __init__(self, addresses: Sequence[str], deadline: float) -> None:
        self._addresses = addresses
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception = httpcore.ConnectError("no address to connect to")
        for address in self._addresses:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("timed out")
            budget = remaining if timeout is None else min(timeout, remaining)
            try:
                stream = _TCP_BACKEND.connect_tcp(address, port, budget, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    """Parse and check an image URL: http or https, with a host."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InvalidUrlError(f"{_WHERE}: not a valid URL") from exc
    if parsed.scheme not in ("http", "https"):
        raise InvalidUrlError(f"{_WHERE}: only http and https URLs can be fetched")
    if not parsed.raw_host:
        raise InvalidUrlError(f"{_WHERE}: the URL has no host")
    return parsed


def _checked_addresses(url: httpx.URL, policy: FetchPolicy, deadline: float) -> list[str]:
    """Resolve the URL's host and refuse it if any of its addresses is refused."""
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = resolve_host(host, port, deadline - time.monotonic())
    for address in addresses:
        reason = address_refusal(address, allow_private=policy.allow_private)
        if reason is not None:
            raise InvalidUrlError(
                f"{_WHERE}: the host resolves to {reason}; images cannot be fetched from it"
            )
    return addresses


def _request_headers(url: httpx.URL) -> list[tuple[bytes, bytes]]:
    return [
        (b"Host", url.netloc),
        (b"User-Agent", _USER_AGENT),
        (b"Accept", b"image/*, application/pdf;q=0.9, */*;q=0.5"),
        (b"Accept-Encoding", b"identity"),
        (b"Connection", b"close"),
    ]


def _target(url: httpx.URL) -> httpcore.URL:
    return httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path)


def _header(response: httpcore.Response, name: bytes) -> bytes | None:
    """The first value of a response header (``name`` in lower case), or None."""
    return next((value for key, value in response.headers if key.lower() == name), None)


def _read_body(response: httpcore.Response, policy: FetchPolicy, deadline: float) -> bytes:
    """The body, abandoned as soon as it is over ``max_bytes`` or past the deadline."""
    too_large = ImageTooLargeError(f"{_WHERE}: the image is over the limit of {policy.max_bytes} bytes")
    declared = _header(response, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > policy.max_bytes:
        raise too_large
    body = bytearray()
    for chunk in response.iter_stream():
        body += chunk
        if len(body) > policy.max_bytes:
            raise too_large
        if time.monotonic() > deadline:
            raise InvalidUrlError(f"{_WHERE}: timed out reading the image")
    return bytes(body)


def _fetch_once(url: httpx.URL, policy: FetchPolicy, deadline: float) -> tuple[httpx.URL | None, bytes]:
    """One hop: ``(next_url, b"")`` for a redirect, ``(None, body)`` for a 2xx answer."""
    addresses = _checked_addresses(url, policy, deadline)
    remaining = max(deadline - time.monotonic(), 0.001)
    timeouts = {"connect": remaining, "read": remaining, "write": remaining, "pool": remaining}
    backend = _PinnedBackend(addresses, deadline)
    with (
        httpcore.ConnectionPool(
            ssl_context=_ssl_context(), network_backend=backend, max_connections=1
        ) as pool,
        pool.stream(
            "GET", _target(url), headers=_request_headers(url), extensions={"timeout": timeouts}
        ) as resp,
    ):
        if resp.status in _REDIRECT_STATUSES:
            location = _header(resp, b"location")
            if location is None:
                raise InvalidUrlError(f"{_WHERE}: the server answered HTTP {resp.status} without a Location")
            try:
                next_url = url.join(location.decode("latin-1").strip())
            except (httpx.InvalidURL, ValueError) as exc:
                raise InvalidUrlError(f"{_WHERE}: the server redirected to an invalid URL") from exc
            return _parse_url(next_url), b""
        if not 200 <= resp.status < 300:
            raise InvalidUrlError(f"{_WHERE}: the server answered HTTP {resp.status}")
        return None, _read_body(resp, policy, deadline)


def fetch_image(url: str, policy: FetchPolicy) -> bytes:
    """Download the image at ``url`` under ``policy``.

    Raises:
        InvalidUrlError: Bad or non-http(s) URL, a refused address (on any hop), unresolvable
            host, connection or TLS failure, timeout, too many redirects, or a non-2xx answer.
        ImageTooLargeError: The body is over ``policy.max_bytes``.
    """
    deadline = time.monotonic() + policy.timeout_s
    current = _parse_url(url)
    for _hop in range(policy.max_redirects + 1):
        try:
            next_url, body = _fetch_once(current, policy, deadline)
        except httpcore.TimeoutException as exc:
            raise InvalidUrlError(f"{_WHERE}: timed out after {policy.timeout_s:g} s") from exc
        except httpcore.ConnectError as exc:
            if "CERTIFICATE" in str(exc).upper():
                raise InvalidUrlError(
                    f"{_WHERE}: the server's certificate could not be verified for the host"
                ) from exc
            raise InvalidUrlError(f"{_WHERE}: connecting to the server failed") from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
            raise InvalidUrlError(f"{_WHERE}: the server's answer could not be read") from exc
        if next_url is None:
            return body
        current = next_url
    raise InvalidUrlError(f"{_WHERE}: more than {policy.max_redirects} redirects")
