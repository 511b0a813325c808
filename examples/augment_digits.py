"""Augment the 8x8 digits and save a PNG grid: originals on the left, augmented copies beside them.

    python examples/augment_digits.py [out.png]

The PNG is written with the standard library (zlib), no imaging package needed.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import numpy as np

from simulacra.augment import ImageAugmenter


def write_png(path, gray: np.ndarray) -> None:
    """Write a 2-D uint8 array as an 8-bit greyscale PNG."""
    h, w = gray.shape
    raw = b"".join(b"\x00" + gray[r].tobytes() for r in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    Path(path).write_bytes(png)


def main(out="digits_augmented.png", rows=8, copies=5, scale=6):
    data = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "digits.npz"
    X = np.load(data)["X"][:rows]
    aug = ImageAugmenter(
        rotation_range=20,
        width_shift_range=0.1,
        height_shift_range=0.1,
        zoom_range=0.15,
        shear_range=10,
        brightness_range=(0.7, 1.3),
        noise_std=0.6,
        seed=0,
    )
    tiles = [[X[r]] + [aug.augment(X[r : r + 1])[0] for _ in range(copies)] for r in range(rows)]
    grid = np.block([[np.pad(t, 1, constant_values=16) for t in row] for row in tiles])
    img = (255 - grid.astype(np.float64) * 255 / 16).clip(0, 255).astype(np.uint8)
    img = np.kron(img, np.ones((scale, scale), dtype=np.uint8))
    write_png(out, img)
    print(f"wrote {out}: {rows} digits, each with {copies} augmented copies")


if __name__ == "__main__":
    main(*sys.argv[1:2])
