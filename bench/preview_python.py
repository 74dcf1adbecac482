"""The reference path for a preview: astropy zscale + matplotlib, as caom2pipe collections
draw their previews (caom2pipe.md §4: a figure of the preview size with the image and no
axes, ImageNormalize(ZScaleInterval(), LinearStretch()), gray, savefig to JPEG, then
matplotlib.image.thumbnail(scale=0.25) for the 256-pixel thumbnail).

    python bench/preview_python.py FILE OUTDIR [--repeat N]

Prints the import time, the phases of the best of N in-process runs, the whole time of
each run, and the peak resident memory (ru_maxrss) of the process.
"""
import argparse
import os
import resource
import sys
import time

t0 = time.perf_counter()
import numpy as np  # noqa: E402
from astropy.io import fits  # noqa: E402
from astropy.visualization import ImageNormalize, LinearStretch, ZScaleInterval  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

t_import = time.perf_counter() - t0


def one(path, out):
    t = {}
    s = time.perf_counter()
    data = fits.getdata(path)
    t["read"] = time.perf_counter() - s
    s = time.perf_counter()
    norm = ImageNormalize(data, interval=ZScaleInterval(), stretch=LinearStretch())
    t["zscale"] = time.perf_counter() - s
    s = time.perf_counter()
    fig = plt.figure(figsize=(10.24, 10.24), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.imshow(data, origin="lower", cmap="gray", norm=norm)
    prev = os.path.join(out, "sky_prev.jpg")
    fig.savefig(prev, format="jpg", dpi=100)
    plt.close(fig)
    t["draw+save"] = time.perf_counter() - s
    s = time.perf_counter()
    matplotlib.image.thumbnail(prev, os.path.join(out, "sky_prev_256.jpg"), scale=0.25)
    t["thumbnail"] = time.perf_counter() - s
    t["total"] = sum(t.values())
    return t


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("out")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    runs = [one(a.file, a.out) for _ in range(a.repeat)]
    best = min(runs, key=lambda r: r["total"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    phases = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in best.items() if k != "total")
    print(f"python: imports {t_import:.2f} s")
    totals = " ".join(f"{r['total']:.3f}" for r in runs)
    print(f"python: runs {totals} s")
    print(f"python: best {best['total'] * 1000:.0f} ms ({phases})")
    print(f"python: peak RSS {rss:.0f} MB")
    print(f"python: versions numpy {np.__version__}, astropy {__import__('astropy').__version__}, "
          f"matplotlib {matplotlib.__version__}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
