"""The loopback server behind check --browser serves regular files under the page's folder only."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kustomer_contract.drivers.browser import serve


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback only
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


@pytest.fixture
def site(tmp_path: Path):
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    (root / "page.html").write_text("<p>page</p>", encoding="utf-8")
    (root / "sub" / "app.js").write_text("ok", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours", encoding="utf-8")
    (root / "leak.txt").symlink_to(secret)
    (root / "up").symlink_to(tmp_path)
    (root / "inside.js").symlink_to(root / "sub" / "app.js")
    os.mkfifo(root / "pipe.js")
    served = serve(str(root / "page.html"))
    base = served.url.rsplit("/", 1)[0]
    yield base
    served.close()


def test_files_under_the_folder_are_served(site):
    assert fetch(f"{site}/page.html") == (200, b"<p>page</p>")
    assert fetch(f"{site}/sub/app.js") == (200, b"ok")
    assert fetch(f"{site}/inside.js") == (200, b"ok")  # a link that stays inside is fine
    assert fetch(f"{site}/__kustomer_contract__/kustomer-double.mjs")[0] == 200


@pytest.mark.parametrize(
    "path",
    ["leak.txt", "up/secret.txt", "up/site/page.html/..", "sub/", "", "pipe.js", "..%2fsecret.txt"],
)
def test_nothing_else_is(site, path):
    status, body = fetch(f"{site}/{path}")
    assert status == 404 and b"not yours" not in body
