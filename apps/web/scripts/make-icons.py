#!/usr/bin/env python3
"""Writes the home-screen icons under apps/web/static/: a black square with a
white disc (the same mark as icon.svg), as PNG files of their stated sizes.

    python3 apps/web/scripts/make-icons.py

Only the standard library (zlib, struct): no image tool is needed. The
maskable icon keeps its mark well inside the safe zone (a centred circle of
40% of the size in radius), so any mask a launcher applies leaves it whole.
"""
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"


def png(size: int, radius_ratio: float) -> bytes:
    """An 8-bit greyscale PNG: black, with a white disc of radius
    `radius_ratio * size` in the centre (edges anti-aliased by 4x4
    supersampling)."""
    c = size / 2.0
    r = radius_ratio * size
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0 (none)
        for x in range(size):
            dx, dy = x + 0.5 - c, y + 0.5 - c
            d = (dx * dx + dy * dy) ** 0.5
            if d <= r - 1:
                row.append(255)
            elif d >= r + 1:
                row.append(0)
            else:
                hits = 0
                for sy in range(4):
                    for sx in range(4):
                        px = x + (sx + 0.5) / 4 - c
                        py = y + (sy + 0.5) / 4 - c
                        hits += px * px + py * py <= r * r
                row.append(round(255 * hits / 16))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # greyscale, 8 bit
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


ICONS = {
    "icon-192.png": (192, 0.22),
    "icon-512.png": (512, 0.22),
    # Maskable: the mark well inside the 40% safe-zone circle.
    "icon-maskable-512.png": (512, 0.17),
    "apple-touch-icon.png": (180, 0.22),
}

if __name__ == "__main__":
    for name, (size, ratio) in ICONS.items():
        (STATIC / name).write_bytes(png(size, ratio))
        print(f"{name}: {size}x{size}")
