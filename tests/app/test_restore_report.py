"""The Restore page's take-aways: the winner in a sentence, titles first, and downloads that describe themselves.

A run of two quick methods on a small denoising observation; the files its download buttons serve are read
back from Streamlit's media storage (each button hands its bytes and file name to it when the page runs).
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from restoration import __version__, get_algorithm
from ui import report
from ui.keys import (
    DEGRADE_PRESET,
    DEGRADE_SEED,
    DEGRADE_SIZE,
    RESTORE_METHODS,
    RESTORE_RUN,
    RESTORE_TABLE,
    SHARED_NAME,
    SHARED_SPEC,
)

DEGRADE, RESTORE = "pages/1_Degrade.py", "pages/2_Restore.py"
METHODS = ["median", "wavelet"]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Every file a download button hands to Streamlit, by its download name (the latest run's bytes)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str, kind: Any,
                  filename: str | None = None) -> str:
        if filename and isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    deferred = MediaFileManager.add_deferred

    def building(self: MediaFileManager, data_callable: Any, mimetype: Any, coordinates: str,
                 file_name: str | None = None, **kwargs: Any) -> str:
        # a download built on click (the report): build it now, as a press of the button would
        if file_name:
            data = data_callable()
            files[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", building)
    yield files


def _run(preset: str = "noise25") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(DEGRADE).run()
    at.selectbox(key=DEGRADE_SIZE).set_value(128 * 128).run()
    at.selectbox(key=DEGRADE_PRESET).set_value(preset).run()
    at.number_input(key=DEGRADE_SEED).set_value(3).run()
    no_exception(at)
    at.switch_page(RESTORE).run()
    at.multiselect(key=RESTORE_METHODS).set_value(METHODS).run()
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    return at


def test_restore_explains_the_winner_and_names_methods_by_title(served: dict[str, bytes]) -> None:
    at = _run()
    table = at.session_state[RESTORE_TABLE]
    ranked = table[table["method"] != "degraded"].sort_values("PSNR (dB)", ascending=False)
    winner, runner = (get_algorithm(m).title for m in ranked["method"][:2])
    sentence = next(s.value for s in at.success if "wins with" in s.value)
    assert winner in sentence and runner in sentence and "degraded input" in sentence
    gap = ranked["PSNR (dB)"].iloc[0] - ranked["PSNR (dB)"].iloc[1]
    assert f"{gap:.2f} dB above the runner-up" in sentence
    assert re.search(r"It took \d+\.\d\d s", sentence)
    assert any("Rule of thumb" in c.value and "0.1 dB" in c.value for c in at.caption)
    # the table: titles first, the registry name as a column of its own, a dash (never "None") for the input's time
    grid = at.dataframe[0]
    assert list(grid.proto.column_order)[:2] == ["title", "PSNR (dB)"] and "method" in grid.proto.column_order
    assert table.loc[table["method"] == "degraded", "time (s)"].item() == "—"
    # the chart: bars labelled by title, the registry name in the hover text
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert set(spec["data"][0]["y"]) == {"Degraded input", *(get_algorithm(m).title for m in METHODS)}
    assert [row[0] for row in spec["data"][0]["customdata"]] != []
    # the error maps have a colour scale
    svgs = [base64.b64decode(u.url.split(",", 1)[1]).decode() for i in at.get("image") for u in i.proto.imgs
            if u.url.startswith("data:image/svg+xml;base64,")]
    assert any("error-scale" in svg and "grey levels" in svg for svg in svgs)


def test_restore_downloads_describe_themselves(served: dict[str, bytes]) -> None:
    at = _run()
    name, spec = at.session_state[SHARED_NAME], at.session_state[SHARED_SPEC]
    keys = {b.key for b in at.get("download_button")}
    assert {"restore.download_report", "restore.download_csv", *(f"restore.download.{m}" for m in METHODS)} <= keys

    # images: named after the image, the pipeline and the method
    for method in METHODS:
        file_name = report.export_name(name, spec, method, "png")
        assert file_name.endswith(f"__gaussian_noise__{method}.png")
        assert served[file_name].startswith(b"\x89PNG")

    # the CSV: image, pipeline, seed and every parameter of each method
    csv = pd.read_csv(io.BytesIO(served[report.export_name(name, spec, "metrics", "csv")]))
    assert list(csv["method"]) == ["degraded", *METHODS]
    assert (csv["image"] == name).all() and (csv["pipeline"] == spec).all() and (csv["seed"] == 3).all()
    assert (csv["task"] == "denoise").all()
    for method in METHODS:
        used = json.loads(csv.loc[csv["method"] == method, "parameters"].item())
        assert set(used) >= {p.name for p in get_algorithm(method).params}
    assert pd.isna(csv.loc[csv["method"] == "degraded", "parameters"].item())

    # the report: one offline page with the table, the chart, every image, the survey and its provenance
    document = served[report.export_name(name, spec, "report", "html")].decode("utf-8")
    assert document.startswith("<!DOCTYPE html>") and 'id="metric-table"' in document
    assert document.count("data:image/png;base64,") >= 2 * (len(METHODS) + 2) - 1  # images and error maps
    assert "<svg" in document and "PSNR per method" in document
    assert all(get_algorithm(m).title in document for m in METHODS)
    assert "Table 5" in document and "1,000 test images" in document  # denoising: the survey's section 4.2
    assert "degraded input (not restored)" in document and "Table 3" not in document  # only the table that fits
    assert __version__ in document and "commit" in document
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", document)  # nothing from the network
    assert "<script" not in document.lower()
