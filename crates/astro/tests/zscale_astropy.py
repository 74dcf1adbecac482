"""astropy's ZScaleInterval and PercentileInterval on the arrays of tests/zscale.rs.

Run with astropy from PyPI (e.g. the venv of bench/compare_previews.sh):
    python crates/astro/tests/zscale_astropy.py
and paste the printed table into tests/zscale.rs when an array is added.
The arrays are made from integer arithmetic, identically in both languages.
"""
import numpy as np
import astropy
from astropy.visualization import ZScaleInterval, PercentileInterval


def lcg(n, seed):
    """x <- (1103515245 x + 12345) mod 2^31, as uint64 arithmetic; n values."""
    out = np.empty(n, dtype=np.uint64)
    x = seed
    for i in range(n):
        x = (1103515245 * x + 12345) % (1 << 31)
        out[i] = x
    return out


def arrays():
    a = {}
    a["ramp"] = np.arange(10000, dtype=np.float32)
    u = lcg(40000, 7)
    # sky 1000 with uniform noise ±50, a bright source every 97th pixel
    sky = (1000.0 + (u % 1001).astype(np.float64) / 10.0 - 50.0).astype(np.float32)
    sky[::97] = 60000.0
    a["sky"] = sky
    # near-gaussian noise (sum of four uniforms) on a gradient, some NaN and inf
    v = lcg(4 * 250000, 11).reshape(250000, 4)
    g = (v % 10000).astype(np.float64).sum(axis=1) / 10000.0 - 2.0
    img = (200.0 + 0.001 * np.arange(250000) + 15.0 * g).astype(np.float32)
    img[1000:1500] = np.nan
    img[777::5003] = np.inf
    img[50000:51000] = -500.0
    a["gradient"] = img
    a["tiny"] = np.array([5.0, 3.0, np.nan, 9.0], dtype=np.float32)
    a["two_levels"] = np.where(np.arange(5000) % 3 == 0, 10.0, 20.0).astype(np.float32)
    return a


print(f"# astropy {astropy.__version__}, numpy {np.__version__}")
for name, values in arrays().items():
    for contrast, n in [(0.25, 1000), (0.99, 1000), (0.25, 600)]:
        lo, hi = ZScaleInterval(n_samples=n, contrast=contrast).get_limits(values)
        print(f'("{name}", {contrast}, {n}, {float(lo)!r}, {float(hi)!r}),')
for name, values in arrays().items():
    lo, hi = PercentileInterval(96.0).get_limits(values)  # 2 and 98
    print(f'("{name}", 2.0, 98.0, {float(lo)!r}, {float(hi)!r}),')
