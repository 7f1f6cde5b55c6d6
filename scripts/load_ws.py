"""The load test's light client (``--client ws``): each session speaks Streamlit's own websocket protocol.

``scripts/load_test.py`` drives its sessions in headless Chromium by default; on a small machine the
browsers then take most of the CPU, and the figures measure them as much as the server. This module
drives each session as the browser's frontend would, without a browser: a websocket to
``/_stcore/stream`` carrying the ``streamlit.proto`` messages (``BackMsg`` up, ``ForwardMsg`` down),
so that many sessions fit in one asyncio loop of one process. It keeps the load test's jobs,
expected values, isolation check and latency definitions (it imports them from ``load_test``).

The protocol, as the frontend of the pinned Streamlit speaks it (read from Streamlit's server
code and its bundled frontend):

* **Connection.** The client first fetches ``/_stcore/health`` (and ``/_stcore/host-config``),
  which sets the ``_streamlit_xsrf`` cookie. The websocket is opened with that cookie, an
  ``Origin`` of the server itself and the subprotocol list ``["streamlit", <xsrf cookie value>]``
  (the second entry is the XSRF token the server checks against the cookie). Uploads send the
  same token in an ``X-Xsrftoken`` header.
* **Runs.** Nothing runs until the client sends ``BackMsg.rerun_script`` (a ``ClientState``: query
  string, page, widget values, the hashes of the messages it has cached, browser context). The
  first names the page by its URL path (``page_name``); later ones by ``page_script_hash``, which
  the ``navigation`` message (and every ``page_link`` element) gives. A run answers with
  ``new_session`` (the session id), ``navigation``, deltas and ``script_finished``.
* **The page.** Deltas put elements and blocks at a ``delta_path``; what a run did not redraw is
  stale and removed when it finishes successfully, and switching pages drops the page's
  elements and widget values (only those of the entry script, here none, are kept).
* **Widgets.** Every rerun carries the values of all widgets on the page, each encoded in the
  ``WidgetState`` field its serde expects (:data:`VALUE_FIELDS`): the value the server last set
  (``set_value``), else the one the client holds, else the widget's default. A button press is a
  ``trigger_value`` sent in one rerun only.
* **Forward-message cache.** Large ``new_element`` messages come with ``metadata.cacheable``; the
  client keeps them by hash, lists the hashes it holds in each ``rerun_script``
  (``cached_message_hashes``), and the server then sends a ``ref_hash`` message (with the
  delta's metadata) instead of the element, which the client resolves from its cache. Entries
  expire after ``max_cached_message_age`` runs without use (:class:`MessageCache`).

Errors are what the browser client counts, read from the messages: exception elements, error
alerts, a compile error, a page not found, a closed websocket, a timeout, and any ``/media/``
URL that does not answer 200 when fetched right away (inline ``data:`` pictures are counted but
need no fetch).
"""

from __future__ import annotations

import asyncio
import io
import math
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urljoin, urlsplit

from google.protobuf.message import Message
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

from restoration import PRESETS
from scripts.load_test import ARTIFACTS, METHODS, PRESET, Expected, Job, RunResult, isolation_problems, run_seed
from tests.e2e import driver

STREAM_PATH = "/_stcore/stream"
XSRF_COOKIE = "_streamlit_xsrf"
SUBPROTOCOL = "streamlit"
#: The ``WidgetState`` field each widget's serde reads (``register_widget(value_type=...)`` in Streamlit's widgets).
VALUE_FIELDS: dict[str, str] = {
    "selectbox": "string_value",
    "radio": "string_value",
    "text_input": "string_value",
    "text_area": "string_value",
    "color_picker": "string_value",
    "multiselect": "string_array_value",
    "number_input": "double_value",  # an integer number_input sends int_value
    "checkbox": "bool_value",
    "slider": "double_array_value",  # a select_slider (a slider with options) sends string_array_value
    "button": "trigger_value",
    "download_button": "trigger_value",
    "file_uploader": "file_uploader_state_value",
}
#: What the browser's context info says about itself (``ClientState.context_info``).
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}
HTTP_TIMEOUT = 60.0  # seconds for one HTTP request (media, upload, health)
WS_MAX_MESSAGE = 256 * 1024 * 1024  # a ForwardMsg may carry inline pictures; Streamlit's own limit is 200 MB
_BOLD_OR_CODE = re.compile(r"\*\*|`")


# --------------------------------------------------------------------------- widget values
def value_field(kind: str, proto: Any) -> str | None:
    """The ``WidgetState`` field a widget's value travels in.

    Parameters
    ----------
    kind : str
        The element type (``Element.WhichOneof("type")``), e.g. ``"selectbox"``.
    proto : protobuf message
        The widget's proto (``element.selectbox`` ...).

    Returns
    -------
    str or None
        ``None`` for an element that is no widget this client can set.
    """
    if kind == "slider" and len(proto.options):
        return "string_array_value"  # st.select_slider: the labels of the chosen options
    if kind == "number_input" and proto.data_type == NumberInput.INT:
        return "int_value"
    return VALUE_FIELDS.get(kind)


def stated_value(kind: str, proto: Any) -> Any:
    """The value a widget's proto states: the one the server set (``set_value``), else its default.

    Options are given by their labels (``proto.options``), as the frontend sends them back.

    Parameters
    ----------
    kind : str
        The element type.
    proto : protobuf message
        The widget's proto.

    Returns
    -------
    Any
        ``None`` when the widget holds no value (an empty select box, a button, an empty uploader).
    """
    set_value = bool(getattr(proto, "set_value", False))
    if kind in ("selectbox", "radio"):
        if set_value:
            return proto.raw_value if proto.HasField("raw_value") else None
        has_default = proto.HasField("default") and proto.default < len(proto.options)
        return proto.options[proto.default] if has_default else None
    if kind == "multiselect":
        return list(proto.raw_values) if set_value else [proto.options[i] for i in proto.default]
    if kind in ("text_input", "text_area"):
        if set_value:
            return proto.value if proto.HasField("value") else None
        return proto.default if proto.HasField("default") else None
    if kind == "color_picker":
        return proto.value if set_value else proto.default
    if kind == "number_input":
        if set_value:
            number = proto.value if proto.HasField("value") else None
        else:
            number = proto.default if proto.HasField("default") else None
        return int(number) if number is not None and proto.data_type == NumberInput.INT else number
    if kind == "checkbox":
        return bool(proto.value if set_value else proto.default)
    if kind == "slider":
        if len(proto.options):  # select_slider: default holds option indices, raw_value labels
            return list(proto.raw_value) if set_value else [proto.options[int(i)] for i in proto.default]
        return list(proto.value if set_value else proto.default)
    return None


def encode_widget(widget_id: str, field_name: str, value: Any) -> WidgetState:
    """One widget's value as the frontend sends it.

    Parameters
    ----------
    widget_id : str
        The widget's id, as the server sent it in the element.
    field_name : str
        The ``WidgetState`` field (see :func:`value_field`).
    value : Any
        A string, number, bool, list (for the ``*_array_value`` fields), or a ``FileUploaderState``.

    Returns
    -------
    WidgetState

    Raises
    ------
    ValueError
        For an unknown field.
    """
    state = WidgetState(id=widget_id)
    if field_name in ("string_array_value", "double_array_value", "int_array_value"):
        getattr(state, field_name).data.extend(value)
    elif field_name == "file_uploader_state_value":
        state.file_uploader_state_value.CopyFrom(value)
    elif field_name == "trigger_value":
        state.trigger_value = bool(value)
    elif field_name == "double_value":
        state.double_value = float(value)
    elif field_name == "int_value":
        state.int_value = int(value)
    elif field_name == "bool_value":
        state.bool_value = bool(value)
    elif field_name == "string_value":
        state.string_value = str(value)
    else:
        raise ValueError(f"unsupported widget value field {field_name!r}")
    return state


def rerun_message(
    *, page_script_hash: str = "", page_name: str = "", widgets: Iterable[WidgetState] = (),
    cached_hashes: Iterable[str] = (), url: str = "", query_string: str = "",
) -> BackMsg:
    """A ``BackMsg.rerun_script``, as the frontend's ``sendRerunBackMsg`` builds it.

    Parameters
    ----------
    page_script_hash : str
        The page to run (empty on the first run, which names it by ``page_name``).
    page_name : str
        URL path of the page relative to the app (``"Degrade"``), for the first run only.
    widgets : iterable of WidgetState
        Every widget value the client holds for the page.
    cached_hashes : iterable of str
        Hashes of the forward messages the client has cached.
    url : str
        The page's address (context info).
    query_string : str
        The query string, without ``?``.

    Returns
    -------
    BackMsg
    """
    state = ClientState(
        query_string=query_string, page_script_hash=page_script_hash, page_name=page_name,
        widget_states=WidgetStates(widgets=list(widgets)), cached_message_hashes=list(cached_hashes),
    )
    for name, value in CONTEXT.items():
        setattr(state.context_info, name, value)
    state.context_info.url = url
    return BackMsg(rerun_script=state)


# --------------------------------------------------------------------------- reading elements
def plain(markdown: str) -> str:
    """Markdown text roughly as the page shows it: bold and code marks dropped, spaces collapsed."""
    return " ".join(_BOLD_OR_CODE.sub("", markdown).split())


def element_texts(element: Element, value: Any = None) -> list[str]:
    """The texts an element shows: body, caption, label, current choice (what the browser's page text holds).

    Parameters
    ----------
    element : Element
        Any element.
    value : Any, optional
        A widget's current value, when the client holds one (else the value its proto states).

    Returns
    -------
    list of str
    """
    kind = element.WhichOneof("type")
    if kind is None:
        return []
    proto = getattr(element, kind)
    if kind in ("markdown", "heading", "text", "alert"):
        return [plain(proto.body)]
    if kind == "imgs":
        return [plain(img.caption) for img in proto.imgs if img.caption]
    if kind == "metric":
        return [plain(proto.label), proto.body]
    if kind == "exception":
        return [f"{proto.type}: {proto.message}"]
    if kind == "progress":
        return [proto.text] if proto.text else []
    texts = [plain(proto.label)] if hasattr(proto, "label") and proto.label else []
    if value is None:
        value = stated_value(kind, proto)
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, list):
        texts += [str(v) for v in value]
    return texts


def media_urls(message: Message) -> list[str]:
    """Every URL-like string field of an element (images, downloads, ...), found by walking the proto."""
    found: list[str] = []
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None:
            for item in value if descriptor.is_repeated else (value,):
                found += media_urls(item)
        elif isinstance(value, str) and descriptor.name in ("url", "src", "image", "icon_image"):
            found.append(value)
    return found


def read_arrow(data: bytes) -> Any:
    """An Arrow IPC stream (how Streamlit serialises a dataframe) as a pandas DataFrame."""
    import pyarrow as pa

    with pa.ipc.open_stream(io.BytesIO(data)) as reader:
        return reader.read_all().to_pandas()


def table_values(element: Element, key: str = "method", value: str = "PSNR (dB)") -> dict[str, float]:
    """Read a two-column mapping from a dataframe element, preferring what the grid shows.

    A Styler's display values (the formatted strings the page shows) are used where present, the raw
    values otherwise.

    Parameters
    ----------
    element : Element
        An element holding a ``dataframe``.
    key, value : str
        The columns to read (``method`` and ``PSNR (dB)`` for the Restore page's metric table).

    Returns
    -------
    dict
        ``key`` column -> ``value`` column as float (NaN where unreadable).

    Raises
    ------
    ValueError
        When the element is no dataframe, carries no data, or lacks a column.
    """
    if element.WhichOneof("type") != "dataframe":
        raise ValueError(f"not a dataframe: {element.WhichOneof('type')}")
    arrow = element.dataframe.arrow_data
    data = arrow.data or (element.dataframe.lazy_data.initial_chunk.data
                          if element.dataframe.HasField("lazy_data") else b"")
    if not data:
        raise ValueError("the dataframe element carries no data")
    frame = read_arrow(data)
    shown = read_arrow(arrow.styler.display_values) if arrow.styler.display_values else None
    for column in (key, value):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} in {list(frame.columns)}")
    out: dict[str, float] = {}
    for i, name in enumerate(frame[key]):
        raw = shown[value].iloc[i] if shown is not None and value in shown.columns else frame[value].iloc[i]
        try:
            out[str(name)] = float(str(raw).strip())
        except ValueError:
            out[str(name)] = math.nan
    return out


# --------------------------------------------------------------------------- the forward-message cache
class MessageCache:
    """The client's cache of forward messages, as the frontend keeps it.

    A message flagged ``metadata.cacheable`` is kept (its received bytes) under its hash; a
    ``ref_hash`` message is answered from here. Every run the client reports, and each finished run
    ages the entries: one unused for more than ``max_age`` runs is dropped.
    """

    def __init__(self) -> None:
        self.runs = 0
        self.hits = 0
        self._entries: dict[str, list[Any]] = {}  # hash -> [raw message bytes, run count when last used]

    def __len__(self) -> int:
        """The number of cached messages."""
        return len(self._entries)

    def remember(self, message: ForwardMsg, raw: bytes) -> None:
        """Keep a cacheable message (once per hash; a known one counts as used)."""
        if not (message.metadata.cacheable and message.hash):
            return
        entry = self._entries.get(message.hash)
        if entry is None:
            self._entries[message.hash] = [raw, self.runs]
        else:
            entry[1] = self.runs

    def resolve(self, reference: ForwardMsg) -> ForwardMsg:
        """The cached message a ``ref_hash`` message points to, with the reference's metadata.

        Raises
        ------
        KeyError
            When the hash is not cached (the server thought the client had it: a protocol error).
        """
        entry = self._entries[reference.ref_hash]
        entry[1] = self.runs
        self.hits += 1
        message = ForwardMsg.FromString(entry[0])
        message.metadata.CopyFrom(reference.metadata)
        return message

    def hashes(self) -> list[str]:
        """The hashes to list in ``ClientState.cached_message_hashes``."""
        return list(self._entries)

    def finish_run(self, max_age: int) -> None:
        """Count a finished run and drop the entries unused for more than ``max_age`` runs."""
        self.runs += 1
        for key in [k for k, (_, used) in self._entries.items() if self.runs - used > max_age]:
            del self._entries[key]


# --------------------------------------------------------------------------- HTTP beside the websocket
class Http:
    """The session's HTTP requests (health check, media, uploads) with its own cookies.

    ``urllib`` in worker threads: no dependency beyond what Streamlit installs, and no proxy.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = {}
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def xsrf(self) -> str:
        """The XSRF token (the cookie's value, as the frontend reads it); empty before the first request."""
        return self.cookies.get(XSRF_COOKIE, "")

    def cookie_header(self) -> str:
        """The ``Cookie`` header this session sends."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _store_cookies(self, headers: Any) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0].strip()

    def request(self, method: str, url: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One blocking request; returns (status, body). Failures to connect raise ``OSError``."""
        cookies = {"Cookie": self.cookie_header()} if self.cookies else {}
        request = urllib.request.Request(urljoin(self.base_url + "/", url), data=body, method=method,
                                         headers={**(headers or {}), **cookies})
        try:
            with self._opener.open(request, timeout=HTTP_TIMEOUT) as response:
                self._store_cookies(response.headers)
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    async def get(self, url: str) -> tuple[int, bytes]:
        """GET in a worker thread."""
        return await asyncio.to_thread(self.request, "GET", url)

    async def put_file(self, url: str, name: str, data: bytes, mime: str) -> int:
        """PUT one file as multipart form data, as the frontend uploads (``X-Xsrftoken`` header).

        Returns
        -------
        int
            The HTTP status (204 when accepted).
        """
        boundary = uuid.uuid4().hex
        body = b"".join([
            f"--{boundary}\r\n".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{name}"\r\n'.encode(),
            f"Content-Type: {mime}\r\n\r\n".encode(), data, f"\r\n--{boundary}--\r\n".encode(),
        ])
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self.xsrf,
                   "Origin": self.base_url}
        status, _ = await asyncio.to_thread(self.request, "PUT", url, body, headers)
        return status


# --------------------------------------------------------------------------- one connection and its page
@dataclass
class Node:
    """An element or block of the page, at its delta path."""

    element: Element | None
    script_hash: str  # the script that drew it (``metadata.active_script_hash``)
    block_label: str = ""  # an expander's or status's label


@dataclass
class Widget:
    """A widget of the current page, as the server last drew it."""

    id: str
    kind: str
    label: str
    proto: Any
    script_hash: str

    @property
    def options(self) -> list[str]:
        """The labels of its options (empty for a widget without options)."""
        return list(getattr(self.proto, "options", []))

    @property
    def disabled(self) -> bool:
        """Whether the page shows it disabled."""
        return bool(getattr(self.proto, "disabled", False))


@dataclass
class Traffic:
    """What a client exchanged (summed over sessions for the report)."""

    connections: int = 0
    reruns: int = 0
    messages: int = 0
    bytes: int = 0
    ref_hits: int = 0
    media_fetched: int = 0
    media_failed: int = 0
    inline_images: int = 0

    def add(self, other: Traffic) -> None:
        """Add another client's counts to these."""
        for counter in fields(self):
            setattr(self, counter.name, getattr(self, counter.name) + getattr(other, counter.name))


class AppConnection:
    """One Streamlit session over one websocket: sends reruns, keeps the page's elements and widget values.

    Parameters
    ----------
    base_url : str
        The server, e.g. ``http://127.0.0.1:8501``.
    timeout_s : float
        Longest wait for a run to finish (or a file URL to come).
    traffic : Traffic, optional
        Counters to add to.
    """

    def __init__(self, base_url: str, timeout_s: float, traffic: Traffic | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.traffic = traffic if traffic is not None else Traffic()
        self.http = Http(self.base_url)
        self.cache = MessageCache()
        self.session_id = ""
        self.main_script_hash = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path ("Restore") -> page_script_hash, from the navigation message
        self.max_cached_age = 2
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.values: dict[str, tuple[str, Any]] = {}  # widget id -> (WidgetState field, value)
        self.errors: list[str] = []  # errors seen since the caller last took them (take_errors)
        self.first_seen: dict[str, float] = {}  # element type -> perf_counter() of its first delta in this run
        self.closed = ""
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._run_done: asyncio.Future[int] | None = None
        self._touched: set[tuple[int, ...]] = set()
        self._file_urls: dict[str, asyncio.Future[Any]] = {}
        self._fetches: set[asyncio.Task[None]] = set()

    # ---- connection
    async def open(self, page_name: str = "") -> None:
        """Connect as a browser opening ``<server>/<page_name>``, and wait for the first run."""
        from websockets.asyncio.client import connect

        for path in ("/_stcore/health", "/_stcore/host-config"):  # what the frontend asks first; sets the cookie
            status, _ = await self.http.get(path)
            if status != 200:
                raise ConnectionError(f"GET {path} answered {status}")
        if not self.http.xsrf:
            raise ConnectionError(f"the server set no {XSRF_COOKIE} cookie (XSRF protection off?)")
        ws_url = "ws" + self.base_url.removeprefix("http") + STREAM_PATH
        self._ws = await connect(
            ws_url, subprotocols=[SUBPROTOCOL, self.http.xsrf],  # the second entry is the XSRF token
            additional_headers={"Cookie": self.http.cookie_header()}, origin=self.base_url,
            max_size=WS_MAX_MESSAGE, ping_interval=None,  # a browser sends no pings; it answers the server's
            proxy=None, open_timeout=self.timeout_s,
        )
        self.traffic.connections += 1
        self._reader = asyncio.create_task(self._read())
        await self.rerun(page_name=page_name)

    async def close(self) -> None:
        """Close the websocket and wait for pending media fetches."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        await self.settle()

    async def settle(self) -> None:
        """Wait for the media fetches started so far (their failures land in :attr:`errors`)."""
        while self._fetches:
            await asyncio.gather(*list(self._fetches), return_exceptions=True)

    def take_errors(self) -> list[str]:
        """The errors seen since the last call."""
        errors, self.errors = self.errors, []
        return errors

    # ---- sending
    def widget_states(self, trigger: str | None = None) -> list[WidgetState]:
        """The value of every widget on the page that holds one (and the pressed button's trigger)."""
        present = {w.id for w in self.widgets()}
        states = [encode_widget(wid, f, v) for wid, (f, v) in self.values.items() if wid in present]
        if trigger is not None:
            states.append(encode_widget(trigger, "trigger_value", True))
        return states

    async def rerun(
        self, changes: dict[str, Any] | None = None, *, trigger: str | None = None, page_hash: str = "",
        page_name: str = "",
    ) -> None:
        """Send a rerun (with ``changes``: widget id -> new value) and wait until it has finished.

        Parameters
        ----------
        changes : dict, optional
            New values of widgets (by id), in the encoding of :func:`stated_value`.
        trigger : str, optional
            Id of a button pressed for this run.
        page_hash : str, optional
            Switch to this page (its ``page_script_hash``), as the frontend's ``onPageChange``.
        page_name : str, optional
            The first run's page, by URL path.

        Raises
        ------
        ConnectionError
            When the websocket closes.
        TimeoutError
            When the run does not finish within ``timeout_s``.
        """
        if self.closed:
            raise ConnectionError(f"the websocket is closed ({self.closed})")
        for widget_id, value in (changes or {}).items():
            widget = self.widget_by_id(widget_id)
            field_name = value_field(widget.kind, widget.proto)
            if field_name is None:
                raise ValueError(f"cannot set a {widget.kind}")
            self.values[widget_id] = (field_name, value)
        if page_hash and page_hash != self.page_hash:  # a page change keeps only the entry script's widgets
            keep = {w.id for w in self.widgets() if w.script_hash == self.main_script_hash}
            self.values = {k: v for k, v in self.values.items() if k in keep}
        target = page_hash or self.page_hash
        # the address bar still shows the page the request is sent from (it changes once the new page runs)
        path = page_name or next((p for p, h in self.pages.items() if h == self.page_hash), "")
        message = rerun_message(
            page_script_hash=target, page_name=page_name if not target else "",
            widgets=self.widget_states(trigger), cached_hashes=self.cache.hashes(),
            url=f"{self.base_url}/{path}",
        )
        loop = asyncio.get_running_loop()
        self._run_done = loop.create_future()
        self.first_seen = {}
        self.traffic.reruns += 1
        await self._ws.send(message.SerializeToString())
        try:
            await asyncio.wait_for(asyncio.shield(self._run_done), self.timeout_s)
        except TimeoutError:
            raise TimeoutError(f"the run did not finish within {self.timeout_s:.0f} s") from None

    async def file_urls(self, names: Sequence[str]) -> list[FileURLs]:
        """Ask for upload URLs (``BackMsg.file_urls_request``) and wait for the answer."""
        request_id = uuid.uuid4().hex
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = answer
        message = BackMsg()
        message.file_urls_request.request_id = request_id
        message.file_urls_request.file_names.extend(names)
        message.file_urls_request.session_id = self.session_id
        await self._ws.send(message.SerializeToString())
        response = await asyncio.wait_for(answer, self.timeout_s)
        if response.error_msg:
            raise RuntimeError(f"file URLs refused: {response.error_msg}")
        return list(response.file_urls)

    async def upload(self, widget: Widget, name: str, data: bytes, mime: str = "image/png") -> None:
        """Upload one file into a file uploader as the frontend does: URLs, a PUT, then a rerun with its state."""
        (urls,) = await self.file_urls([name])
        status = await self.http.put_file(urls.upload_url, name, data, mime)
        if status not in (200, 204):
            raise RuntimeError(f"PUT {urls.upload_url} answered {status}")
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        await self.rerun({widget.id: FileUploaderState(uploaded_file_info=[info])})

    # ---- receiving
    async def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self._ws:
                self._receive(raw if isinstance(raw, bytes) else raw.encode())
            self.closed = "closed by the server"
        except ConnectionClosed as exc:
            self.closed = f"closed: {exc}"
        except Exception as exc:  # a message this client could not handle: the session is over
            self.closed = f"client error: {type(exc).__name__}: {exc}"
            self.errors.append(f"websocket {self.closed}")
        finally:
            for waiting in [self._run_done, *self._file_urls.values()]:
                if waiting is not None and not waiting.done():
                    waiting.set_exception(ConnectionError(f"the websocket {self.closed}"))
                    waiting.exception()  # whoever awaits it still gets the error; nobody else must log it

    def _receive(self, raw: bytes) -> None:
        message = ForwardMsg.FromString(raw)
        self.traffic.messages += 1
        self.traffic.bytes += len(raw)
        if message.WhichOneof("type") == "ref_hash":
            try:
                message = self.cache.resolve(message)
            except KeyError:
                self.errors.append(f"forward-message cache miss for hash {message.ref_hash}")
                return
            self.traffic.ref_hits += 1
        else:
            self.cache.remember(message, raw)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id or self.session_id
            self.main_script_hash = message.new_session.main_script_hash
            self.max_cached_age = message.new_session.config.max_cached_message_age or self.max_cached_age
            if not self.page_hash:
                self.page_hash = message.new_session.page_script_hash
            for page in message.new_session.app_pages:
                self.pages.setdefault(page.url_pathname, page.page_script_hash)
            self._touched = set()
        elif kind == "navigation":
            nav = message.navigation
            self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
            if nav.page_script_hash and nav.page_script_hash != self.page_hash:
                self.page_hash = nav.page_script_hash  # the frontend clears the old page's elements
                self.nodes = {p: n for p, n in self.nodes.items() if n.script_hash == self.main_script_hash}
        elif kind == "delta":
            self._apply(message)
        elif kind == "script_finished":
            self._finished(message.script_finished)
        elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
            exc = message.session_event.script_compilation_exception
            self.errors.append(f"script compilation error: {exc.type}: {exc.message[:300]}")
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "file_urls_response":
            answer = self._file_urls.pop(message.file_urls_response.response_id, None)
            if answer is not None and not answer.done():
                answer.set_result(message.file_urls_response)

    def _apply(self, message: ForwardMsg) -> None:
        path = tuple(message.metadata.delta_path)
        delta = message.delta
        kind = delta.WhichOneof("type")
        script_hash = message.metadata.active_script_hash
        if kind == "add_block":
            block = delta.add_block
            label = block.expandable.label if block.WhichOneof("type") == "expandable" else ""
            self.nodes[path] = Node(None, script_hash, label)
            self._touched.add(path)
            return
        if kind != "new_element":
            return  # transient elements (spinners, toasts) are not part of the page
        element = delta.new_element
        element_kind = element.WhichOneof("type") or ""
        self.first_seen.setdefault(element_kind, time.perf_counter())
        if element_kind == "exception":
            message_text = " ".join(element.exception.message.split())
            self.errors.append(f"exception: {element.exception.type}: {message_text[:300]}")
        elif element_kind == "alert" and element.alert.format == Alert.ERROR:
            self.errors.append(f"error alert: {plain(element.alert.body)[:300]}")
        for url in media_urls(element):
            self.fetch_media(url)
        if element_kind == "imgs":  # keep the captions, not the pictures: 32 sessions stay light
            element = Element()
            element.CopyFrom(delta.new_element)
            for img in element.imgs.imgs:
                if img.url.startswith("data:"):
                    img.url = "data:"
        proto = getattr(element, element_kind, None)
        field_name = value_field(element_kind, proto) if proto is not None else None
        widget_id = getattr(proto, "id", "") if field_name else ""
        if widget_id and field_name != "trigger_value":
            value = stated_value(element_kind, proto)
            if getattr(proto, "set_value", False) or widget_id not in self.values:
                if value is None:
                    self.values.pop(widget_id, None)
                else:
                    self.values[widget_id] = (field_name, value)
        self.nodes[path] = Node(element, script_hash)
        self._touched.add(path)

    def _finished(self, status: int) -> None:
        if status not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
            return  # cut short for the next run, or a fragment's run: this client waits for whole runs
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self.errors.append("the script finished with a compile error")
        # what this run did not redraw is stale, and so are the values of widgets that went with it
        self.nodes = {p: n for p, n in self.nodes.items() if p in self._touched}
        present = {w.id for w in self.widgets()}
        self.values = {k: v for k, v in self.values.items() if k in present}
        self.cache.finish_run(self.max_cached_age)
        if self._run_done is not None and not self._run_done.done():
            self._run_done.set_result(status)

    def fetch_media(self, url: str) -> None:
        """Fetch a ``/media/`` URL of this server right away, in the background, as a browser would.

        Inline ``data:`` URLs are only counted; other URLs (links elsewhere) are left alone. A fetch
        that does not answer 200 lands in :attr:`errors`; :meth:`settle` waits for the fetches.
        """
        if url.startswith("data:"):
            self.traffic.inline_images += 1
            return
        parts = urlsplit(url)
        if not parts.path.startswith("/media/") or (parts.netloc and parts.netloc != urlsplit(self.base_url).netloc):
            return
        task = asyncio.get_running_loop().create_task(self._fetch(url))
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)

    async def _fetch(self, url: str) -> None:
        self.traffic.media_fetched += 1
        try:
            status, _ = await self.http.get(url)
        except OSError as exc:
            status, reason = 0, str(exc)
        else:
            reason = ""
        if status != 200:
            self.traffic.media_failed += 1
            self.errors.append(f"media {url} answered {status or reason}")

    # ---- the page
    def elements(self, kind: str | None = None, *, main: bool = True) -> list[Element]:
        """The page's elements in page order (``kind``: only that element type; ``main``: the main area only)."""
        out = []
        for path in sorted(self.nodes):
            node = self.nodes[path]
            if node.element is None or (main and path[:1] != (0,)):
                continue
            if kind is None or node.element.WhichOneof("type") == kind:
                out.append(node.element)
        return out

    def texts(self) -> list[str]:
        """Every text of the main area, in page order (elements, with the values widgets hold; block labels)."""
        out = []
        for path in sorted(self.nodes):
            if path[:1] != (0,):
                continue
            element = self.nodes[path].element
            if element is None:
                out.append(self.nodes[path].block_label)
                continue
            proto = getattr(element, element.WhichOneof("type") or "", None)
            held = self.values.get(getattr(proto, "id", "") or "")
            out += element_texts(element, held[1] if held else None)
        return [t for t in out if t]

    def widgets(self) -> list[Widget]:
        """The widgets of the page, in page order."""
        out = []
        for path in sorted(self.nodes):
            element = self.nodes[path].element
            kind = element.WhichOneof("type") if element is not None else None
            if element is None or kind is None:
                continue
            proto = getattr(element, kind)
            if value_field(kind, proto) and getattr(proto, "id", ""):
                out.append(Widget(proto.id, kind, getattr(proto, "label", ""), proto, self.nodes[path].script_hash))
        return out

    def widget(self, label: str | re.Pattern[str], kind: str | None = None) -> Widget:
        """The widget with this label (a string: exactly; a pattern: searched), of this kind.

        Raises
        ------
        LookupError
            When the page has no such widget, or several.
        """
        found = [w for w in self.widgets() if (kind is None or w.kind == kind) and (
            w.label == label if isinstance(label, str) else label.search(w.label))]
        if len(found) != 1:
            labels = [f"{w.kind} {w.label!r}" for w in self.widgets()]
            raise LookupError(f"{len(found)} widgets {label!r} ({kind or 'any kind'}) on the page; it has {labels}")
        return found[0]

    def widget_by_id(self, widget_id: str) -> Widget:
        """The widget with this id (raises ``LookupError`` when it is not on the page)."""
        for widget in self.widgets():
            if widget.id == widget_id:
                return widget
        raise LookupError(f"no widget {widget_id!r} on the page")

    def value(self, widget: Widget) -> Any:
        """The value the client holds for a widget (``None``: none)."""
        held = self.values.get(widget.id)
        return held[1] if held else None

    def page_link(self, label: str) -> str:
        """The ``page_script_hash`` of the page link with this label."""
        for element in self.elements("page_link"):
            if element.page_link.label == label:
                return element.page_link.page_script_hash
        raise LookupError(f"no page link {label!r} on the page")

    def snapshot(self) -> str:
        """The page as text (for the artifacts of a failed run)."""
        lines = [f"session {self.session_id}, page {self.page_hash}, closed: {self.closed or 'no'}"]
        for path in sorted(self.nodes):
            node = self.nodes[path]
            if node.element is None:
                lines.append(f"{list(path)} block {node.block_label!r}")
                continue
            kind = node.element.WhichOneof("type")
            lines.append(f"{list(path)} {kind}: {' | '.join(element_texts(node.element))[:300]}")
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- one load-test session
class WsSession:
    """One load-test session over the websocket protocol: the browser client's steps, the same checks.

    Parameters
    ----------
    job : Job
        The session's image.
    base_url : str
        The server.
    timeout_s : float
        Longest wait for any one run.
    others : sequence of str
        Every session's image name (those of the others must not show on this session's pages).
    """

    def __init__(self, job: Job, base_url: str, timeout_s: float, others: Sequence[str]) -> None:
        self.job = job
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.others = [o for o in others if o != job.name and o not in job.name]
        self.traffic = Traffic()
        self.app: AppConnection | None = None

    def _app(self) -> AppConnection:
        if self.app is None:
            raise ConnectionError("not connected")
        return self.app

    async def pick(self, label: str, option: str, kind: str = "selectbox") -> None:
        """Choose a select-box (or radio) option; nothing is sent when it is already chosen."""
        app = self._app()
        widget = app.widget(label, kind)
        if option not in widget.options:
            raise AssertionError(f"{label!r} offers no {option!r} (it offers {widget.options})")
        if app.value(widget) != option:
            await app.rerun({widget.id: option})
        held = app.value(app.widget(label, kind))
        if held != option:
            raise AssertionError(f"{label!r} shows {held!r}, not {option!r}")

    def expect_text(self, text: str) -> None:
        """Fail unless some text of the page contains ``text``."""
        if not any(text in t for t in self._app().texts()):
            raise AssertionError(f"the page does not show {text!r}")

    def expect_heading(self, title: str) -> None:
        """Fail unless the page has a heading (``st.title`` ...) reading ``title``."""
        if not any(e.heading.body == title for e in self._app().elements("heading")):
            raise AssertionError(f"no heading {title!r} on the page")

    async def degrade_step(self, fresh: bool, seed: int, degraded_psnr: float | None = None) -> None:
        """The Degrade page, as ``load_test.Session.degrade_step``: image, preset, seed, then the checks."""
        if fresh:
            self.app = AppConnection(self.base_url, self.timeout_s, self.traffic)
            await self.app.open("Degrade")
        else:
            app = self._app()
            await app.rerun(page_hash=app.page_link("Change the image or the degradation"))
        app = self._app()
        self.expect_heading("Degrade")
        job = self.job
        if job.upload:
            if fresh:
                await self.pick("Source", "Upload a file", "radio")
                await app.upload(app.widget(re.compile(r"^Image file"), "file_uploader"), job.name, job.png())
        else:
            await self.pick("Category", job.category)
            await self.pick("Image", job.name)
        self.expect_text(f"{job.name} — working image")
        preset = PRESETS[PRESET]
        await self.pick("Preset", f"{preset.task} · {preset.label}")
        spec = app.value(app.widget("Pipeline text", "text_input"))
        if not re.match(r"^gaussian_noise\(sigma=25\b", str(spec)):
            raise AssertionError(f"the pipeline text is {spec!r}")
        seed_box = app.widget("Seed", "number_input")
        if app.value(seed_box) != seed:
            await app.rerun({seed_box.id: seed})
        held = app.value(app.widget("Seed", "number_input"))
        if held != seed:
            raise AssertionError(f"the seed box holds {held!r}, not {seed}")
        self.expect_text(f"(seed {seed})")
        if degraded_psnr is not None:
            shown = [e.metric.body for e in app.elements("metric") if e.metric.label == "PSNR (degraded)"]
            if shown != [f"{degraded_psnr:.2f} dB"]:
                raise AssertionError(f"the degraded PSNR shows {shown}, not {degraded_psnr:.2f} dB")
        pictures = sum(len(e.imgs.imgs) for e in app.elements("imgs"))
        if pictures < 2:
            raise AssertionError(f"{pictures} pictures on the Degrade page, not at least 2")

    async def restore_step(self, result: RunResult, seed: int) -> None:
        """The Restore page, as ``load_test.Session.restore_step``: two methods, Run, then read the page."""
        app = self._app()
        await app.rerun(page_hash=app.page_link("Next: restore it"))
        self.expect_heading("Restore")
        box = re.compile(r"^Methods for denoise")
        wanted = [driver.method_label(m) for m in METHODS]
        for label in wanted:
            if label not in app.widget(box, "multiselect").options:
                raise AssertionError(f"the method box offers no {label!r}")
        held = list(app.value(app.widget(box, "multiselect")) or [])
        if sorted(held) != sorted(wanted):  # as a person would: clear the box, then add the methods one by one
            if any(label not in wanted for label in held):
                await app.rerun({app.widget(box, "multiselect").id: []})
                held = []
            for label in wanted:
                if label not in held:
                    held = [*held, label]
                    await app.rerun({app.widget(box, "multiselect").id: held})
        chips = list(app.value(app.widget(box, "multiselect")) or [])
        if sorted(chips) != sorted(wanted):
            raise AssertionError(f"the multiselect holds {chips}, not {wanted}")
        run = app.widget(re.compile(r"^Run \d+ methods?$"), "button")
        if run.label != f"Run {len(METHODS)} methods":  # the time budget held a method back: say which and why
            held_back = [plain(e.alert.body) for e in app.elements("alert") if "budget" in plain(e.alert.body)]
            raise AssertionError(f"the button reads {run.label!r}: {' | '.join(held_back)[:400] or 'no reason shown'}")
        if run.disabled:
            raise AssertionError(f"{run.label!r} is disabled")
        started = time.perf_counter()
        await app.rerun(trigger=run.id)
        table_at = app.first_seen.get("dataframe")
        self.expect_text(f"Ran {len(METHODS)} of {len(METHODS)} methods")
        tables = app.elements("dataframe")
        if table_at is None or not tables:
            raise AssertionError("the run drew no metric table")
        result.restore_seconds = table_at - started

        # ---- what the page says about whose image this is (checked by isolation_problems)
        texts = app.texts()
        result.header = next((t for e in app.elements("markdown") if "; task " in (t := plain(e.markdown.body))), "")
        body = "\n".join(texts)
        result.mentions = [other for other in self.others if other in body]
        # ---- the metric table
        shown = table_values(tables[0])
        result.shown = shown
        for name, value in shown.items():
            if not math.isfinite(value):
                result.errors.append(f"unreadable PSNR of {name!r} in the metric table")

    async def _collect(self, result: RunResult) -> None:
        if self.app is not None:
            await self.app.settle()
            result.errors += self.app.take_errors()

    async def _drop(self) -> None:
        if self.app is not None:
            app, self.app = self.app, None
            await app.close()

    async def drive(self, runs: int, expected: Expected) -> list[RunResult]:
        """All runs of this session (a fresh connection first, and again after a failed run)."""
        results = []
        fresh = True
        try:
            for run in range(runs):
                result = RunResult(self.job.session, run, self.job.name)
                results.append(result)
                seed = run_seed(run)
                started = time.perf_counter()
                try:
                    if fresh:
                        await self._drop()
                    degraded_psnr = expected.get((self.job.session, run), {}).get("degraded")
                    await self.degrade_step(fresh, seed, degraded_psnr)
                    await self.restore_step(result, seed)
                    result.seconds = time.perf_counter() - started
                    fresh = False
                except Exception as exc:
                    result.errors.append(f"{type(exc).__name__}: {' '.join(str(exc).split())[:400]}")
                    if self.app is not None:
                        ARTIFACTS.mkdir(parents=True, exist_ok=True)
                        (ARTIFACTS / f"session{self.job.session:02d}-run{run}-ws.txt").write_text(self.app.snapshot())
                    fresh = True  # start again with a new connection (a new Streamlit session)
                await self._collect(result)
                if result.shown:
                    result.isolation = isolation_problems(result, seed, expected)
                elif not result.errors:
                    result.errors.append("no metric table was read")
                result.ok = not result.errors and not result.isolation
        finally:
            await self._drop()
        return results


async def drive_all(
    base_url: str, jobs: Sequence[Job], runs: int, timeout_s: float, expected: Expected,
) -> tuple[list[RunResult], Traffic]:
    """Drive every job's session at once in this event loop.

    Parameters
    ----------
    base_url : str
        The server.
    jobs : sequence of Job
        One per session.
    runs : int
        Degrade -> restore runs per session.
    timeout_s : float
        Longest wait for any one run.
    expected : dict
        Expected PSNRs by (session, run).

    Returns
    -------
    results : list of RunResult
        Every run of every session (a crashed session gives one failed result).
    traffic : Traffic
        What all the sessions exchanged with the server.
    """
    others = [job.name for job in jobs]
    sessions = [WsSession(job, base_url, timeout_s, others) for job in jobs]
    done = await asyncio.gather(*(s.drive(runs, expected) for s in sessions), return_exceptions=True)
    results: list[RunResult] = []
    traffic = Traffic()
    for session, outcome in zip(sessions, done, strict=True):
        traffic.add(session.traffic)
        if isinstance(outcome, BaseException):
            results.append(RunResult(session.job.session, 0, session.job.name,
                                     errors=[f"session crashed: {outcome!r}"]))
        else:
            results.extend(outcome)
    return results, traffic

