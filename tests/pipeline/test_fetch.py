"""Tests for pipeline/fetch.py against real local HTTP and HTTPS servers."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpcore
import pytest

from templateocr.exceptions import ImageTooLargeError, InvalidUrlError
from templateocr.pipeline import fetch
from templateocr.pipeline.fetch import FetchPolicy, address_refusal, fetch_image, resolve_host

IMAGE = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
PUBLIC_IP = "93.184.216.34"  # a global address; the test backend routes it to 127.0.0.1
OPEN = FetchPolicy(allow_private=True, timeout_s=3.0)


@dataclass
class Server:
    """A running local server and what it saw."""

    port: int
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


def make_handler(server: Server, stop: threading.Event) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: typing.Any) -> None:  # noqa: A002 - silence
            pass

        def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            server.hosts.append(self.headers.get("Host", ""))
            server.paths.append(self.path)
            parts = urlsplit(self.path)
            route, query = parts.path, parse_qs(parts.query)
            # The client hangs up on a huge or slow body, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self.route(route, query)

        def route(self, route: str, query: dict[str, list[str]]) -> None:
            if route == "/image.png":
                self.send(200, IMAGE, {"Content-Type": "image/png"})
            elif route == "/redirect":
                self.send(302, headers={"Location": "/image.png"})
            elif route == "/redirect-to":
                self.send(int(query.get("status", ["302"])[0]), headers={"Location": query["to"][0]})
            elif route.startswith("/chain/"):
                left = int(route.rsplit("/", 1)[1])
                self.send(301, headers={"Location": f"/chain/{left - 1}" if left else "/image.png"})
            elif route == "/no-location":
                self.send(302)
            elif route == "/missing":
                self.send(404, b"not here")
            elif route == "/slow-headers":
                stop.wait(5)
                self.send(200, IMAGE)
            elif route == "/drip":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(100):
                    if stop.wait(0.05):
                        return
                    self.wfile.write(b"x")
                    self.wfile.flush()
            elif route == "/late-stall":
                stop.wait(0.6)
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"x")
                self.wfile.flush()
                stop.wait(5)
            elif route == "/huge":
                self.send_response(200)
                self.end_headers()  # no Content-Length: the body runs until the connection closes
                chunk = b"\0" * 65536
                for _ in range(2048):  # 128 MiB if nobody stops reading
                    if stop.is_set():
                        return
                    self.wfile.write(chunk)
            elif route == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Length", str(10**12))
                self.end_headers()
                self.wfile.write(b"\0" * 1024)
            else:
                self.send(404)

    return Handler


@pytest.fixture
def stop_event() -> Iterator[threading.Event]:
    stop = threading.Event()
    yield stop
    stop.set()


def start_server(
    stop: threading.Event, tls: ssl.SSLContext | None = None
) -> tuple[Server, http.server.ThreadingHTTPServer]:
    record = Server(port=0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(record, stop))
    if tls is not None:

        def remember(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
            record.server_names.append(name)

        tls.sni_callback = remember
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    record.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return record, httpd


@pytest.fixture
def server(stop_event: threading.Event) -> Iterator[Server]:
    record, httpd = start_server(stop_event)
    yield record
    stop_event.set()
    httpd.shutdown()
    httpd.server_close()


class RoutingBackend(httpcore.NetworkBackend):
    """Connects to 127.0.0.1 when asked for the pretend public address; records every address."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self._real = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        self.addresses.append(host)
        target = "127.0.0.1" if host == PUBLIC_IP else host
        return self._real.connect_tcp(target, port, timeout, local_address, socket_options)


@pytest.fixture
def pretend_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[dict[str, list[str]], RoutingBackend]]:
    """Names resolved by a table (others by the real resolver), connections routed by RoutingBackend."""
    table: dict[str, list[str]] = {
        "public.example": [PUBLIC_IP],
        "internal.example": ["10.0.0.7"],
        "mixed.example": [PUBLIC_IP, "10.1.2.3"],
        "metadata.example": ["169.254.169.254"],
    }
    real = resolve_host

    def resolve(host: str, port: int, timeout_s: float) -> list[str]:
        return list(table[host]) if host in table else real(host, port, timeout_s)

    backend = RoutingBackend()
    monkeypatch.setattr(fetch, "resolve_host", resolve)
    monkeypatch.setattr(fetch, "_TCP_BACKEND", backend)
    yield table, backend


# --- the address guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.100.100.200",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%2",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2002:a00:1::",
        "64:ff9b::a00:1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert address_refusal(address) is not None


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", PUBLIC_IP, "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_refusal(address) is None


def test_allow_private_allows_all_but_metadata() -> None:
    assert address_refusal("127.0.0.1", allow_private=True) is None
    assert address_refusal("10.0.0.1", allow_private=True) is None
    assert address_refusal("169.254.169.254", allow_private=True) == "a cloud metadata address"
    assert address_refusal("fd00:ec2::254", allow_private=True) == "a cloud metadata address"


# --- local server -------------------------------------------------------------------------------


def test_loopback_is_refused_by_default_and_nothing_is_sent(server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="loopback") as caught:
        fetch_image(server.url("/image.png"), FetchPolicy())
    assert caught.value.code == "0001" and caught.value.detail is not None
    assert caught.value.detail.startswith("images[0].url: ")
    assert server.paths == []


def test_fetched_with_allow_private(server: Server) -> None:
    assert fetch_image(server.url("/image.png"), OPEN) == IMAGE
    assert server.hosts == [f"127.0.0.1:{server.port}"]


def test_host_name_is_resolved_and_sent_as_host(server: Server) -> None:
    # localhost may resolve to ::1 first; the server listens on 127.0.0.1 only.
    assert fetch_image(server.url("/image.png", host="localhost"), OPEN) == IMAGE
    assert server.hosts == [f"localhost:{server.port}"]


def test_decimal_ip_literal_is_checked_as_the_address_it_names(server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="loopback"):
        fetch_image(server.url("/image.png", host="2130706433"), FetchPolicy())


def test_relative_redirect_is_followed(server: Server) -> None:
    assert fetch_image(server.url("/redirect"), OPEN) == IMAGE
    assert server.paths == ["/redirect", "/image.png"]


def test_redirects_up_to_the_limit(server: Server) -> None:
    assert fetch_image(server.url("/chain/2"), OPEN) == IMAGE  # 3 redirects
    with pytest.raises(InvalidUrlError, match="more than 3 redirects"):
        fetch_image(server.url("/chain/3"), OPEN)
    with pytest.raises(InvalidUrlError, match="more than 0 redirects"):
        fetch_image(server.url("/redirect"), FetchPolicy(allow_private=True, max_redirects=0))


def test_redirect_to_another_scheme_is_refused(server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="only http and https"):
        fetch_image(server.url("/redirect-to?to=file:///etc/passwd"), OPEN)


def test_redirect_without_location(server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="302 without a Location"):
        fetch_image(server.url("/no-location"), OPEN)


def test_not_found_names_the_status(server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="HTTP 404"):
        fetch_image(server.url("/missing"), OPEN)


def test_slow_server_times_out(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidUrlError, match="timed out"):
        fetch_image(server.url("/slow-headers"), FetchPolicy(allow_private=True, timeout_s=0.3))
    assert time.monotonic() - started < 1.5


def test_timeout_bounds_the_whole_body_not_each_read(server: Server) -> None:
    # Every byte arrives within 50 ms, but the whole body would take 5 s.
    started = time.monotonic()
    with pytest.raises(InvalidUrlError, match="timed out"):
        fetch_image(server.url("/drip"), FetchPolicy(allow_private=True, timeout_s=0.4))
    assert time.monotonic() - started < 1.2


def test_timeout_bounds_a_read_that_blocks_past_the_deadline(server: Server) -> None:
    # Headers come after 0.6 s, then the body stalls: the blocked read must end at 0.8 s,
    # not 0.8 s after the read began.
    started = time.monotonic()
    with pytest.raises(InvalidUrlError, match="timed out"):
        fetch_image(server.url("/late-stall"), FetchPolicy(allow_private=True, timeout_s=0.8))
    assert time.monotonic() - started < 1.15


def test_huge_body_is_abandoned_past_max_bytes(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(ImageTooLargeError, match="1048576 bytes") as caught:
        fetch_image(server.url("/huge"), FetchPolicy(allow_private=True, max_bytes=1 << 20))
    assert caught.value.code == "0011"
    assert time.monotonic() - started < 2


def test_huge_declared_length_is_refused_before_reading(server: Server) -> None:
    with pytest.raises(ImageTooLargeError):
        fetch_image(server.url("/huge-declared"), OPEN)


def test_max_bytes_is_inclusive(server: Server) -> None:
    assert (
        fetch_image(server.url("/image.png"), FetchPolicy(allow_private=True, max_bytes=len(IMAGE))) == IMAGE
    )
    with pytest.raises(ImageTooLargeError):
        fetch_image(server.url("/image.png"), FetchPolicy(allow_private=True, max_bytes=len(IMAGE) - 1))


def test_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InvalidUrlError, match="connecting to the server failed"):
        fetch_image(f"http://127.0.0.1:{port}/", OPEN)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "",
        "http://",
        "//x/y",
    ],
)
def test_only_http_and_https_urls(url: str) -> None:
    with pytest.raises(InvalidUrlError) as caught:
        fetch_image(url, FetchPolicy())
    assert caught.value.code == "0001"


# --- every hop is checked -------------------------------------------------------------------------


def test_public_name_is_fetched_from_the_checked_address(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend]
) -> None:
    _, backend = pretend_dns
    assert fetch_image(server.url("/image.png", host="public.example"), FetchPolicy()) == IMAGE
    assert backend.addresses == [PUBLIC_IP]
    assert server.hosts == [f"public.example:{server.port}"]


def test_redirect_from_a_public_host_to_loopback_is_refused(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend]
) -> None:
    target = server.url("/image.png")
    with pytest.raises(InvalidUrlError, match="loopback"):
        fetch_image(server.url(f"/redirect-to?to={target}", host="public.example"), FetchPolicy())
    assert server.paths == [f"/redirect-to?to={target}"]  # the image was never requested


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_from_a_public_host_to_a_private_name_is_refused(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend], status: int
) -> None:
    url = server.url(
        f"/redirect-to?status={status}&to=http://internal.example/image.png", host="public.example"
    )
    with pytest.raises(InvalidUrlError, match="private"):
        fetch_image(url, FetchPolicy())


def test_redirect_between_public_hosts_is_followed(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend]
) -> None:
    url = server.url(f"/redirect-to?to=http://public.example:{server.port}/image.png", host="public.example")
    assert fetch_image(url, FetchPolicy()) == IMAGE


def test_a_name_with_any_private_address_is_refused(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend]
) -> None:
    with pytest.raises(InvalidUrlError, match="private"):
        fetch_image(server.url("/image.png", host="mixed.example"), FetchPolicy())


def test_redirect_to_metadata_is_refused_even_with_allow_private(
    server: Server, pretend_dns: tuple[dict[str, list[str]], RoutingBackend]
) -> None:
    url = server.url("/redirect-to?to=http://metadata.example/latest/meta-data/", host="127.0.0.1")
    with pytest.raises(InvalidUrlError, match="metadata"):
        fetch_image(url, OPEN)
    with pytest.raises(InvalidUrlError, match="metadata"):
        fetch_image("http://169.254.169.254/latest/meta-data/", OPEN)


# --- name resolution ----------------------------------------------------------------------------


def test_resolve_host_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(InvalidUrlError, match="does not resolve"):
        fetch_image("http://nowhere.example/a.png", FetchPolicy())


def test_resolve_host_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(*_args: object, **_kwargs: object) -> list[object]:
        release.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "gave up")

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    started = time.monotonic()
    try:
        with pytest.raises(InvalidUrlError, match="timed out resolving"):
            fetch_image("http://slow-dns.example/a.png", FetchPolicy(timeout_s=0.2))
        assert time.monotonic() - started < 1
    finally:
        release.set()


def test_resolve_host_returns_unique_addresses() -> None:
    addresses = resolve_host("localhost", 80, 2.0)
    assert "127.0.0.1" in addresses or "::1" in addresses
    assert len(addresses) == len(set(addresses))


# --- https: SNI and the certificate are checked against the name, not the address ------------------

TLS_NAME = "images.example.test"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={TLS_NAME}",
         "-addext", f"subjectAltName=DNS:{TLS_NAME}"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(
    certificate: tuple[Path, Path], stop_event: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    cert, key = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    record, httpd = start_server(stop_event, server_context)
    client_context = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(fetch, "_ssl_context", lambda: client_context)
    names = {TLS_NAME: ["127.0.0.1"], "other.example.test": ["127.0.0.1"]}
    real = resolve_host
    monkeypatch.setattr(fetch, "resolve_host", lambda h, p, t: names.get(h) or real(h, p, t))
    yield record
    stop_event.set()
    httpd.shutdown()
    httpd.server_close()


def test_https_connects_to_the_address_with_the_name_for_sni_host_and_certificate(tls_server: Server) -> None:
    # TLS_NAME exists only in the patched resolver: the connection must go to the checked address.
    url = tls_server.url("/image.png", host=TLS_NAME, scheme="https")
    assert fetch_image(url, OPEN) == IMAGE
    assert tls_server.server_names == [TLS_NAME]
    assert tls_server.hosts == [f"{TLS_NAME}:{tls_server.port}"]


def test_https_certificate_for_another_name_is_refused(tls_server: Server) -> None:
    with pytest.raises(InvalidUrlError, match="certificate"):
        fetch_image(tls_server.url("/image.png", host="other.example.test", scheme="https"), OPEN)
    assert tls_server.paths == []


def test_https_untrusted_certificate_is_refused(tls_server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "_ssl_context", ssl.create_default_context)
    with pytest.raises(InvalidUrlError, match="certificate"):
        fetch_image(tls_server.url("/image.png", host=TLS_NAME, scheme="https"), OPEN)


def test_https_redirect_keeps_checking(tls_server: Server) -> None:
    url = tls_server.url("/redirect", host=TLS_NAME, scheme="https")
    assert fetch_image(url, OPEN) == IMAGE
    assert tls_server.server_names == [TLS_NAME, TLS_NAME]
