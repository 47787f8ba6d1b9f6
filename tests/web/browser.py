"""How the tests and bench/web_map.py launch Debian's Chromium (no browser download, no network)."""
from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
    # WebGL through SwiftShader so MapLibre really renders in headless mode.
    "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]
