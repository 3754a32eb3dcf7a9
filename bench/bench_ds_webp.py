"""Benchmark: PNG → WebP (quality 80) throughput of the logo pipeline on the machine's cores, against
a one-by-one Pillow loop (the legacy way) in the same run on the same files.

Run: uv run --project locations/ds python bench/bench_ds_webp.py [--images 400] [--size 240] [--repeat 3]

The inputs are generated sample logos (dag_shared.images.lib.sample_logos) scaled to --size pixels,
with a noise layer so they compress like screenshots rather than flat shapes. The new path is
`dag_shared.images.lib.webp.convert_all` (a spawn process pool, one process per core, atomic
renames); the baseline opens and saves each file in one process with the same settings.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import tempfile
import time
from pathlib import Path


def make_inputs(folder: Path, count: int, size: int) -> list[Path]:
    from dag_shared.images.lib.sample_logos import draw_logo
    from PIL import Image

    rng = random.Random(20240102)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        with Image.open(io.BytesIO(draw_logo(f"bench company {i}"))) as logo:
            image = logo.convert("RGB").resize((size, size))
        noise = Image.frombytes("L", (size, size), rng.randbytes(size * size)).convert("RGB")
        image = Image.blend(image, noise, 0.08)
        path = folder / f"clogo-{i}.png"
        image.save(path, format="PNG")
        paths.append(path)
    return paths


def one_by_one(pngs: list[Path], out: Path) -> None:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    for png in pngs:
        with Image.open(png) as image:
            image.save(out / (png.stem + ".webp"), format="WEBP", quality=80, method=4)


def main() -> None:
    from dag_shared.images.lib.webp import convert_all, workers

    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--size", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ds-webp-bench-") as tmp:
        root = Path(tmp)
        pngs = make_inputs(root / "png", args.images, args.size)
        new, old = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            converted = convert_all(pngs, root / "parallel")
            new.append(time.perf_counter() - start)
            assert len(converted) == len(pngs)
            start = time.perf_counter()
            one_by_one(pngs, root / "serial")
            old.append(time.perf_counter() - start)
        assert len(list((root / "serial").glob("*.webp"))) == len(pngs)
    new_rate, old_rate = args.images / statistics.median(new), args.images / statistics.median(old)
    print(f"WebP conversion, {args.images} PNGs of {args.size}x{args.size} px, median of {args.repeat}:")
    print(f"  convert_all on {workers()} cores : {new_rate:8.1f} images/s")
    print(f"  one-by-one Pillow loop : {old_rate:8.1f} images/s (baseline)")
    print(f"  speed-up               : {new_rate / old_rate:8.2f}x")


if __name__ == "__main__":
    main()
