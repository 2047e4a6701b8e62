"""Hostile request bodies against a real ``templateocr serve`` process: each is answered with
CLOVA's error body (or read within the limits) and does no harm: the server's memory stays
flat, no 5xx, and it still serves a good request afterwards.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import struct
import time
import zlib
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pypdfium2 as pdfium
import pytest
from live_server import SECRET, ServeProcess, start_serve
from PIL import Image

MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("hostile") / "data")
    try:
        yield process
    finally:
        process.stop()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="module")
def client(server: ServeProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=60, headers={"X-OCR-SECRET": SECRET}) as http:
        yield http


def _body(data: bytes | str, fmt: str = "png", **extra: Any) -> dict[str, Any]:
    text = data if isinstance(data, str) else base64.b64encode(data).decode()
    return {
        "version": "V2",
        "requestId": "hostile",
        "timestamp": 0,
        "images": [{"format": fmt, "name": "x", "data": text}],
        **extra,
    }


def _clova_error(response: httpx.Response, code: str = "0011", fragment: str = "") -> str:
    assert response.status_code == (401 if code == "0002" else 400), response.text
    body = response.json()
    assert set(body) == {"code", "message", "path", "traceId", "timestamp"}, body
    assert body["code"] == code, body
    assert fragment in body["message"], body["message"]
    assert response.headers["X-Trace-Id"] == body["traceId"]
    return str(body["message"])


def _image(fmt: str, size: tuple[int, int] = (300, 200), **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, fmt, **options)
    return buffer.getvalue()


def _png_claiming(width: int, height: int, colour_type: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + chunk(b"IEND", b"")
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(_image("JPEG", (16, 16)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _tiff_claiming(width: int, height: int) -> bytes:
    """One uncompressed 8-bit grey strip of 10 bytes under a header claiming ``width`` x ``height``."""
    entries = [(256, width), (257, height), (258, 8), (259, 1), (262, 1), (277, 1), (278, height), (279, 10)]
    data_offset = 8 + 2 + 12 * (len(entries) + 1) + 4
    rows = sorted([*entries, (273, data_offset)])
    ifd = struct.pack("<H", len(rows))
    ifd += b"".join(struct.pack("<HHII", tag, 4, 1, value) for tag, value in rows)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 10


def _pdf(pages: int, width_pt: float = 612, height_pt: float = 792) -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(width_pt, height_pt)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


def _tiff_frames(count: int) -> bytes:
    frames = [Image.new("L", (32, 24), 255) for _ in range(count)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def _raw_post(server: ServeProcess, total: int, *, declare: bool) -> tuple[int, bytes]:
    """POST ``total`` bytes of body from a raw socket (chunked unless ``declare``): how much the
    server took before it answered, and its answer."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    head = f"POST /infer HTTP/1.1\r\nHost: x\r\nX-OCR-SECRET: {SECRET}\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {total}\r\n" if declare else "Transfer-Encoding: chunked\r\n"
    sock.sendall((head + "\r\n").encode())
    block = b"A" * MB
    sent = 0
    try:
        while sent < total:
            sock.sendall(block if declare else b"%x\r\n%s\r\n" % (len(block), block))
            sent += len(block)
        if not declare:
            sock.sendall(b"0\r\n\r\n")
    except OSError:  # the server answered and closed: the rest is not read
        pass
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except OSError:
        pass
    sock.close()
    return sent, answer


def test_bodies_over_the_cap_are_refused_while_streaming_and_memory_stays_flat(
    server: ServeProcess,
) -> None:
    before = server.rss()
    peak = before
    for declare in (False, False, False, True):
        (sent, answer), most = server.max_rss_during(partial(_raw_post, server, 300 * MB, declare=declare))
        peak = max(peak, most)
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), answer[:300]
        assert json.loads(payload)["code"] == "0011" and b"body is over" in payload
        assert sent < 150 * MB, f"the server read {sent / MB:.0f} MB of a refused body"
    after = server.rss()
    print(f"4 x 300 MB bodies: RSS {before / MB:.0f} -> {after / MB:.0f} MB, at most {peak / MB:.0f} MB")
    assert after - before < 64 * MB
    assert peak - before < 128 * MB


def test_an_image_over_50_mb_in_a_multipart_file_is_0011(server: ServeProcess, client: httpx.Client) -> None:
    message = json.dumps(_valid_message())
    payload = b"\x89PNG\r\n\x1a\n" + bytes(51 * MB)
    response = client.post("/infer", data={"message": message}, files={"file": ("big.png", payload)})
    _clova_error(response, "0011", "over the limit")
    assert server.rss() < 1024 * MB


@pytest.mark.parametrize(
    ("name", "data", "fmt", "fragment"),
    [
        ("png 100000 x 100000", _png_claiming(100_000, 100_000), "png", "too large"),
        ("png 65535 x 65535 grey", _png_claiming(65_535, 65_535, 0), "png", "too large"),
        ("jpeg 65000 x 65000", _jpeg_claiming(65_000, 65_000), "jpg", "too large"),
        ("tiff 100000 x 100000", _tiff_claiming(100_000, 100_000), "tiff", "too large"),
        ("tiff 9000 x 9000", _tiff_claiming(9_000, 9_000), "tif", "over the limit"),
    ],
)
def test_decompression_bombs_are_refused_from_their_headers(
    server: ServeProcess, client: httpx.Client, name: str, data: bytes, fmt: str, fragment: str
) -> None:
    before = server.rss()
    started = time.monotonic()
    _clova_error(client.post("/infer", json=_body(data, fmt)), "0011", fragment)
    assert time.monotonic() - started < 5, name
    assert server.rss() - before < 64 * MB, name


def test_a_pdf_with_a_huge_page_is_rendered_within_the_pixel_limit(client: httpx.Client) -> None:
    response = client.post("/infer", json=_body(_pdf(1, 14_400, 14_400), "pdf"))
    assert response.status_code == 200, response.text
    (page,) = response.json()["images"]
    info = page["convertedImageInfo"]
    assert info["width"] * info["height"] <= 60_000_000 and info["width"] > 1000


@pytest.mark.parametrize(("data", "fmt"), [(_pdf(3000), "pdf"), (_tiff_frames(1000), "tiff")])
def test_thousands_of_pages_read_only_the_first_ten(client: httpx.Client, data: bytes, fmt: str) -> None:
    started = time.monotonic()
    response = client.post("/infer", json=_body(data, fmt))
    assert response.status_code == 200, response.text
    pages = response.json()["images"]
    assert [p["convertedImageInfo"]["pageIndex"] for p in pages] == list(range(10))
    assert time.monotonic() - started < 30


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _corrupted(data: bytes) -> bytes:
    middle = len(data) // 3
    return data[:middle] + bytes((b ^ 0x5A) for b in data[middle : 2 * middle]) + data[2 * middle :]


_NOISE = _image("JPEG", (300, 200), quality=90)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (_truncated(_image("JPEG")), "jpg"),
        (_truncated(_image("PNG", (300, 300))), "png"),
        (_truncated(_image("TIFF", (300, 300))), "tiff"),
        (_truncated(_pdf(2)), "pdf"),
        (b"\xff\xd8\xff" + b"\x00" * 200, "jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "png"),
        (b"II*\x00" + b"\xff" * 200, "tif"),
        (b"MM\x00*" + b"\x00\x00\x00\x08" + b"\xff" * 200, "tiff"),
        (b"%PDF-1.7\n" + b"1 0 obj << /Type /Pages /Kids [1 0 R] >>\n" * 50, "pdf"),
        (_corrupted(_image("PNG", (300, 300))), "png"),
        (_corrupted(_pdf(1)), "pdf"),
        (_NOISE[:20] + b"\xff\xd9", "jpg"),
    ],
)
def test_truncated_and_corrupt_files_are_0011(client: httpx.Client, data: bytes, fmt: str) -> None:
    _clova_error(client.post("/infer", json=_body(data, fmt)), "0011", "images[0].data: cannot")


@pytest.mark.parametrize(
    ("data", "fmt", "fragment"),
    [
        (_image("PNG"), "jpg", "declared 'jpg' but the data is a PNG"),
        (_image("JPEG"), "png", "declared 'png' but the data is a JPEG"),
        (_pdf(1), "tiff", "declared 'tiff' but the data is a PDF"),
        (_image("TIFF"), "pdf", "declared 'pdf' but the data is a TIFF"),
        (_image("GIF"), "png", "not a JPEG, PNG, PDF or TIFF"),
        (_image("BMP"), "jpg", "not a JPEG, PNG, PDF or TIFF"),
        (b"PK\x03\x04" + b"\x00" * 100, "pdf", "not a JPEG, PNG, PDF or TIFF"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "png", "not a JPEG, PNG, PDF or TIFF"),
        (_image("PNG"), "gif", "unsupported format"),
    ],
)
def test_formats_that_lie_are_0011(client: httpx.Client, data: bytes, fmt: str, fragment: str) -> None:
    _clova_error(client.post("/infer", json=_body(data, fmt)), "0011", fragment)


def _valid_message() -> dict[str, Any]:
    return {"version": "V2", "requestId": "m", "timestamp": 0, "images": [{"format": "png", "name": "x"}]}


@pytest.mark.parametrize(
    ("content", "content_type", "fragment"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "application/json", "too many JSON values"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "application/json", "too many JSON values"),
        (b"[" * 5_000 + b"]" * 5_000, "application/json", "not valid JSON"),
        (b"1" * 1_000_000, "application/json", "not valid JSON"),
        (json.dumps({**_body(_image("PNG")), "pad": "x" * (70 * MB)}).encode(), "application/json", "over"),
        (json.dumps([_body(_image("PNG"))]).encode(), "application/json", "JSON object"),
        (b'{"version": "V2", "requestId": "\xff\xfe", "timestamp": 0}', "application/json", "UTF-8"),
        (b'{"version": "V2", "requestId": "\\ud800", "timestamp": 0, "images": []}', "", ""),
        (b'{"version": "V2", "requestId": "r", "timestamp": NaN, "images": []}', "application/json", ""),
        (b"", "application/json", "JSON"),
        (b"<xml/>", "application/xml", "Content-Type"),
        (b"not json at all", "text/plain", "JSON"),
        (b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n{", "multipart/form-data", "boundary"),
        (
            b"--c\r\nContent-Disposition: form-data; name=message\r\n\r\n{}\r\n--c--\r\n",
            "multipart/form-data; boundary=b",
            "multipart",
        ),
        (
            b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n{",
            "multipart/form-data; boundary=b",
            "multipart",
        ),
        (b"", "multipart/form-data; boundary=b", "message"),
        (
            b"".join(b"--b\r\nContent-Disposition: form-data; name=f%d\r\n\r\nx\r\n" % i for i in range(500))
            + b"--b--\r\n",
            "multipart/form-data; boundary=b",
            "fields",
        ),
        (
            b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n"
            + b"x" * (2 * MB)
            + b"\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            "size",
        ),
        (
            b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n"
            + json.dumps(_valid_message()).encode()
            + b"\r\n--b\r\nContent-Disposition: form-data; name=file\r\n\r\nnot a file part\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            "file",
        ),
        (
            b"--b\r\nContent-Disposition: form-data; name=message\r\n\r\n{\xff\xfe}\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
            "",
        ),
    ],
)
def test_malformed_bodies_are_0011(
    client: httpx.Client, content: bytes, content_type: str, fragment: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    _clova_error(client.post("/infer", content=content, headers=headers), "0011", fragment)


def test_millions_of_small_json_values_are_refused_before_parsing(
    server: ServeProcess, client: httpx.Client
) -> None:
    before = server.rss()
    flood = b'{"version": "V2", "pad": [' + b"{}," * (20 * MB) + b"{}]}"  # 60 MB, ~1.4 GB once parsed
    headers = {"Content-Type": "application/json"}
    response, most = server.max_rss_during(lambda: client.post("/infer", content=flood, headers=headers))
    _clova_error(response, "0011", "too many JSON values")
    print(f"60 MB of small JSON values: RSS {before / MB:.0f} MB, at most {most / MB:.0f} MB")
    assert most - before < 256 * MB


def test_the_server_is_unharmed(server: ServeProcess, client: httpx.Client, tmp_path: Path) -> None:
    response = client.post("/infer", json=_body(_image("PNG")))
    assert response.status_code == 200 and response.json()["requestId"] == "hostile"
    assert server.process.poll() is None
    print(f"server RSS after the hostile bodies: {server.rss() / MB:.0f} MB")
