"""The load test's websocket client (``scripts/load_ws.py``, ``--client ws``).

Fast tests of its protocol pieces (widget values as Streamlit's own serde reads them, the
forward-message cache, the metric table from Arrow bytes), and one real run: the app started
as the load test starts it, 2 sessions x 1 degrade -> restore run over Streamlit's websocket
protocol, no browser.
"""

from __future__ import annotations

import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes
from streamlit.elements.lib.options_selector_utils import create_mappings
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.elements.widgets.multiselect import MultiSelectSerde
from streamlit.elements.widgets.number_input import NumberInputSerde
from streamlit.elements.widgets.selectbox import SelectboxSerde
from streamlit.proto.Button_pb2 import Button
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.MultiSelect_pb2 import MultiSelect
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Selectbox_pb2 import Selectbox
from streamlit.proto.Slider_pb2 import Slider

from scripts import load_test, load_ws

TITLES = {"lake": "Mountain lake", "ridge": "Misty ridges at sunset", "terrain": "Appalachian ridge"}
RUN_TIMEOUT_S = 120  # per run of the app, inside the client: the machine may be busy


def _encoded(kind: str, proto: object, value: object) -> object:
    """A value as the client sends it: the WidgetState field its serde reads, and what that field holds."""
    field = load_ws.value_field(kind, proto)
    assert field is not None
    state = load_ws.encode_widget("$$ID-x-key", field, value)
    assert state.WhichOneof("value") == field
    held = getattr(state, field)
    return list(held.data) if field.endswith("_array_value") else held


def test_widget_values_are_what_streamlits_serde_reads() -> None:
    keys = list(TITLES)
    formatted, index_of = create_mappings(keys, TITLES.__getitem__)

    # a select box: its default, then the value the server set, sent back as the option's label
    box = Selectbox(id="box", label="Image", options=formatted, default=0)
    assert load_ws.stated_value("selectbox", box) == "Mountain lake"
    box.set_value, box.raw_value = True, "Misty ridges at sunset"
    assert load_ws.stated_value("selectbox", box) == "Misty ridges at sunset"
    serde = SelectboxSerde(keys, formatted_options=formatted, formatted_option_to_option_index=index_of,
                           default_option_index=0, format_func=TITLES.__getitem__)
    assert serde.deserialize(_encoded("selectbox", box, "Misty ridges at sunset")) == "ridge"

    # a multiselect: labels in a string array (its default holds option indices)
    chosen = MultiSelect(id="methods", label="Methods", options=formatted, default=[2, 0])
    assert load_ws.stated_value("multiselect", chosen) == ["Appalachian ridge", "Mountain lake"]
    multi = MultiSelectSerde(keys, formatted_options=formatted, formatted_option_to_option_index=index_of,
                             default_options_indices=[], format_func=TITLES.__getitem__)
    assert multi.deserialize(_encoded("multiselect", chosen, ["Misty ridges at sunset", "Mountain lake"])) == [
        "ridge", "lake"]
    assert multi.deserialize(_encoded("multiselect", chosen, [])) == []

    # an integer number box travels as int_value (as the frontend sends it), a float one as double_value
    seed = NumberInput(id="seed", label="Seed", data_type=NumberInput.INT, default=0, value=7, set_value=True)
    assert load_ws.value_field("number_input", seed) == "int_value"
    assert load_ws.stated_value("number_input", seed) == 7
    assert NumberInputSerde(0, NumberInput.INT, 0, 100).deserialize(_encoded("number_input", seed, 3)) == 3
    scale = NumberInput(id="scale", label="Scale", data_type=NumberInput.FLOAT, default=1.5)
    assert load_ws.value_field("number_input", scale) == "double_value"
    assert _encoded("number_input", scale, 0.25) == 0.25

    # a slider sends numbers; a select_slider (a slider with options) the labels of its options
    sigma = Slider(id="sigma", label="sigma", data_type=Slider.FLOAT, default=[0.0], value=[25.0], set_value=True)
    assert load_ws.stated_value("slider", sigma) == [25.0]
    assert _encoded("slider", sigma, [30.0]) == [30.0]
    levels = Slider(id="top", label="Error", options=["5", "10", "25"], default=[2.0])
    assert load_ws.value_field("slider", levels) == "string_array_value"
    assert load_ws.stated_value("slider", levels) == ["25"]

    # a check box holds a bool; a button holds nothing until it is pressed (a trigger, one run only)
    assert load_ws.stated_value("checkbox", Checkbox(id="crop", label="Crop", default=False)) is False
    assert load_ws.stated_value("button", Button(id="run", label="Run 2 methods")) is None
    assert load_ws.value_field("button", Button(id="run")) == "trigger_value"
    assert load_ws.value_field("markdown", None) is None
    with pytest.raises(ValueError, match="unsupported"):
        load_ws.encode_widget("x", "arrow_value", b"")

    message = load_ws.rerun_message(page_script_hash="abc", widgets=[load_ws.encode_widget("seed", "int_value", 3)],
                                    cached_hashes=["h1"], url="http://127.0.0.1:1/Degrade")
    state = message.rerun_script
    assert (state.page_script_hash, state.page_name, list(state.cached_message_hashes)) == ("abc", "", ["h1"])
    assert [w.int_value for w in state.widget_states.widgets] == [3] and state.context_info.timezone == "UTC"


def _element_message(hash_: str, body: str, path: list[int], *, cacheable: bool = True) -> ForwardMsg:
    message = ForwardMsg(hash=hash_)
    message.metadata.cacheable = cacheable
    message.metadata.delta_path[:] = path
    message.delta.new_element.markdown.body = body
    return message


def test_message_cache_resolves_references_and_forgets_unused_entries() -> None:
    cache = load_ws.MessageCache()
    big = _element_message("h-big", "a large element", [0, 3])
    cache.remember(big, big.SerializeToString())
    small = _element_message("h-small", "not cacheable", [0, 4], cacheable=False)
    cache.remember(small, small.SerializeToString())
    assert cache.hashes() == ["h-big"]

    reference = ForwardMsg(ref_hash="h-big")
    reference.metadata.delta_path[:] = [0, 7]  # the same element, drawn elsewhere in this run
    resolved = cache.resolve(reference)
    assert resolved.delta.new_element.markdown.body == "a large element"
    assert list(resolved.metadata.delta_path) == [0, 7] and cache.hits == 1

    for _ in range(2):  # unused for max_age runs: still kept
        cache.finish_run(max_age=2)
    assert cache.hashes() == ["h-big"]
    cache.finish_run(max_age=2)  # a third run without it: gone, and a reference to it is a protocol error
    assert cache.hashes() == []
    with pytest.raises(KeyError):
        cache.resolve(reference)


def test_metric_table_is_read_from_the_styled_arrow_bytes() -> None:
    table = pd.DataFrame({"title": ["Degraded input", "Median filter", "Wavelet shrinkage"],
                          "PSNR (dB)": [20.41490231, 27.456420, 33.728082],
                          "method": ["degraded", "median", "wavelet"]})
    element = Element()
    element.dataframe.arrow_data.data = convert_pandas_df_to_arrow_bytes(table)
    marshall_styler(element.dataframe.arrow_data, table.style.format({"PSNR (dB)": "{:.2f}"}), "uuid")
    assert load_ws.table_values(element) == {"degraded": 20.41, "median": 27.46, "wavelet": 33.73}  # as shown

    plain = Element()
    plain.dataframe.arrow_data.data = convert_pandas_df_to_arrow_bytes(table)  # no Styler: the raw values
    assert math.isclose(load_ws.table_values(plain)["median"], 27.456420)
    with pytest.raises(ValueError, match="no column"):
        load_ws.table_values(plain, value="SSIM")
    with pytest.raises(ValueError, match="not a dataframe"):
        load_ws.table_values(Element())


class _Media(BaseHTTPRequestHandler):
    """Answers 200 for /media/ok.png, 404 for anything else."""

    def do_GET(self) -> None:
        found = self.path == "/media/ok.png"
        self.send_response(200 if found else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok" if found else b"no")

    def log_message(self, *args: object) -> None:
        pass


def test_media_urls_are_fetched_and_failures_are_errors() -> None:
    element = Element()
    for url in ("/media/ok.png", "/media/gone.png", "data:image/png;base64,AAAA"):
        element.imgs.imgs.add(url=url, caption="a picture")
    assert load_ws.media_urls(element) == ["/media/ok.png", "/media/gone.png", "data:image/png;base64,AAAA"]
    button = Element()
    button.download_button.url = "/media/report.html"
    assert load_ws.media_urls(button) == ["/media/report.html"]

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Media)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app = load_ws.AppConnection(f"http://127.0.0.1:{server.server_address[1]}", timeout_s=10)

        async def fetch() -> None:
            for url in [*load_ws.media_urls(element), "https://example.org/media/elsewhere.png"]:
                app.fetch_media(url)
            await app.settle()

        load_test.run_coroutine(fetch())
    finally:
        server.shutdown()
        server.server_close()
    traffic = app.traffic
    assert (traffic.media_fetched, traffic.media_failed, traffic.inline_images) == (2, 1, 1)
    assert app.take_errors() == ["media /media/gone.png answered 404"] and app.errors == []


@pytest.mark.slow
def test_two_ws_sessions_stay_isolated() -> None:
    report = load_test.run_load_test(2, 1, timeout_s=RUN_TIMEOUT_S, client="ws", command="test", log=lambda _: None)
    summary = report.summary()
    assert summary["errors"] == 0, summary["error_messages"]
    assert summary["isolation_ok"], summary["isolation_failures"]
    assert summary["completed_runs"] == 2
    assert len({run["image"] for run in summary["runs"]}) == 2, "the two sessions must use different images"
    assert summary["client"] == "ws" and summary["traffic"]["connections"] == 2
    assert summary["traffic"]["reruns"] >= 2 * 4  # open, seed, Restore, Run at least, per session
    assert summary["rss_peak_mib"] > 0 and all(run["restore_seconds"] > 0 for run in summary["runs"])
    text = load_test.to_markdown(report, "versions")
    assert "| client | ws " in text and "| completed runs | 2 / 2 |" in text and "ws client" in text
