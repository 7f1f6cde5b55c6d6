"""The Degrade, Restore and Learn pages hand Streamlit no media files: pictures go as data URIs, downloads on click.

A media file lives in the server's memory until no session references it, and one session's finished run
decides that while another session's rerun has just dropped its references: under a class's load, browsers
that fetched a picture late got a 404 (measured by ``scripts/load_test.py``). A data URI travels inside the
page's own message and cannot go missing; a deferred download is built only when its button is pressed.
"""

from __future__ import annotations

from typing import Any

import pytest
from apptools import ROOT, TIMEOUT, no_exception
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from ui.keys import DEGRADE_PRESET, DEGRADE_SIZE, RESTORE_METHODS, RESTORE_RUN


def test_degrade_restore_and_learn_store_no_media(monkeypatch: pytest.MonkeyPatch) -> None:
    stored: list[tuple[str, str | None]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(self: MemoryMediaFileStorage, path_or_data: Any, mimetype: str, kind: Any,
                  filename: str | None = None) -> str:
        stored.append((mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Degrade.py").run()
    at.selectbox(key=DEGRADE_SIZE).set_value(128 * 128).run()
    at.selectbox(key=DEGRADE_PRESET).set_value("combined").run()  # a blur kernel: a third picture
    no_exception(at)
    pictures = [u.url for i in at.get("image") for u in i.proto.imgs]
    assert len(pictures) >= 3 and all(u.startswith("data:image/") for u in pictures)
    at.switch_page("pages/2_Restore.py").run()
    at.multiselect(key=RESTORE_METHODS).set_value(["tv_sr"]).run()
    at.button(key=RESTORE_RUN).click().run()
    no_exception(at)
    pictures = [u.url for i in at.get("image") for u in i.proto.imgs]
    # results, the zoom's box and crops, the error maps and their scale
    assert len(pictures) >= 8 and all(u.startswith("data:image/") for u in pictures)
    assert len(at.get("download_button")) >= 3
    at.switch_page("pages/4_Learn.py").run()  # its first section: pictures of a noisy image and of filters
    no_exception(at)
    assert len(at.get("image")) >= 3
    assert stored == [], f"media files handed to Streamlit: {stored}"
