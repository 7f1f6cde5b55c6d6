"""Session-state keys of the Benchmark page's "already degraded" mode (photos with no clean original).

Constants only, like :mod:`ui.keys` (which holds the page's other keys); widget keys get no default here:
the page seeds them with :func:`ui.state.seed` before drawing the widget.
"""

from __future__ import annotations

__all__ = [
    "BENCH_MODE",
    "BENCH_NR_DECODED",
    "BENCH_NR_FILES",
    "BENCH_NR_FOLDER",
    "BENCH_NR_METHODS",
    "BENCH_NR_SOURCE",
    "MODE_AS_IS",
    "MODE_CLEAN",
]

#: Radio of the page's mode: :data:`MODE_CLEAN` (clean images, degraded here, PSNR/SSIM) or :data:`MODE_AS_IS`.
BENCH_MODE = "bench.mode"
#: Value of :data:`BENCH_MODE`: clean images that the page degrades, measured against themselves.
MODE_CLEAN = "clean"
#: Value of :data:`BENCH_MODE`: the user's photos are already degraded (no ground truth, no-reference scores).
MODE_AS_IS = "as-is"
#: Radio of where the already degraded photos come from ("files", "folder" or "zip").
BENCH_NR_SOURCE = "bench.nr_source"
#: File uploader of several photos.
BENCH_NR_FILES = "bench.nr_files"
#: File uploader of a whole folder of photos.
BENCH_NR_FOLDER = "bench.nr_folder"
#: Multiselect of the methods run on the already degraded photos (the denoisers).
BENCH_NR_METHODS = "bench.nr_methods"
#: The uploaded photos decoded at the working size, with the files skipped: ``(key, images, skipped)``, so
#: that a rerun does not decode them again (key: the upload ids and the working size). Not a widget.
BENCH_NR_DECODED = "bench.nr_decoded"
