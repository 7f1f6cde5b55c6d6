"""Session-state keys of the app: constants only, the leaf of the ``ui`` import graph.

Keys are namespaced ``"<page>.<name>"`` so that pages never collide; ``"shared.*"`` keys
carry the work from one page to the next (the chosen image, its degradation, the
methods compared). Widget keys (e.g. :data:`HOME_PRESET`) are listed here too, so that
pages and tests refer to one constant, but they get no default in
:func:`ui.state.init_state`: Streamlit warns when a widget has both a default value and a
value set through the Session State API. Pages seed a widget's first value with
:func:`ui.state.seed` instead and create the widget without a ``value``/``index`` argument.

Streamlit forgets the value of a widget that is not drawn in a run, so leaving a page
would reset its widgets: the pages' widgets are created with ``persist_state=PERSIST``
(``"session"``), which keeps their values while another page is shown.

This module imports nothing of the app (and not streamlit): every ``ui`` module and page may import it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BENCH_CATEGORIES",
    "BENCH_DEGRADATION",
    "BENCH_METHODS",
    "BENCH_METRIC",
    "BENCH_PER_CATEGORY",
    "BENCH_PRESETS",
    "BENCH_REQUEST",
    "BENCH_RESULTS",
    "BENCH_RUN",
    "BENCH_RUN_ANYWAY",
    "BENCH_SEED",
    "BENCH_SIZE",
    "BENCH_SOURCE",
    "BENCH_SPECS",
    "BENCH_SURVEY_41",
    "BENCH_SURVEY_42",
    "BENCH_WORKERS",
    "BENCH_ZIP",
    "DEFAULTS",
    "DEGRADE_ADD",
    "DEGRADE_ADD_STEP",
    "DEGRADE_ASSUMED_BLUR",
    "DEGRADE_ASSUMED_SCALE",
    "DEGRADE_ASSUMED_SIGMA",
    "DEGRADE_ASSUMED_TASK",
    "DEGRADE_AS_DEGRADED",
    "DEGRADE_CATEGORY",
    "DEGRADE_CROP",
    "DEGRADE_CROP_COLS",
    "DEGRADE_CROP_ROWS",
    "DEGRADE_NEXT_UID",
    "DEGRADE_PRESET",
    "DEGRADE_SAMPLE",
    "DEGRADE_SEED",
    "DEGRADE_SIZE",
    "DEGRADE_SOURCE",
    "DEGRADE_SPEC_ERROR",
    "DEGRADE_SPEC_TEXT",
    "DEGRADE_STEPS",
    "DEGRADE_STEP_PREFIX",
    "DEGRADE_UPLOAD",
    "DEGRADE_UPLOADED",
    "HOME_DEMO",
    "HOME_PRESET",
    "HOME_RESULTS",
    "HOME_RUN",
    "HOME_SAMPLE",
    "HOME_SEED",
    "LEARN_BLOCK",
    "LEARN_BM3D_COL",
    "LEARN_BM3D_ROW",
    "LEARN_FAMILY",
    "LEARN_PNP_ITER",
    "LEARN_SIGMA",
    "LEARN_SPARSE_COL",
    "LEARN_SPARSE_ROW",
    "LEARN_TV_LAM",
    "LEARN_UNFOLDED_STAGE",
    "LEARN_WAVELET_METHOD",
    "LEARN_WAVELET_MODE",
    "LEARN_WINDOW",
    "PERSIST",
    "RESTORE_ERROR_MAX",
    "RESTORE_LEFT",
    "RESTORE_METHODS",
    "RESTORE_METHODS_TASK",
    "RESTORE_NR_TABLE",
    "RESTORE_PARAM_GENERATION",
    "RESTORE_PARAM_PREFIX",
    "RESTORE_RESULTS",
    "RESTORE_RIGHT",
    "RESTORE_RUN",
    "RESTORE_RUN_ANYWAY",
    "RESTORE_TABLE",
    "RESTORE_ZOOM_SIZE",
    "RESTORE_ZOOM_X",
    "RESTORE_ZOOM_Y",
    "SHARED_CLEAN",
    "SHARED_METHODS",
    "SHARED_NAME",
    "SHARED_OBSERVATION",
    "SHARED_SEED",
    "SHARED_SPEC",
    "SHARED_TOKEN",
]

# --- home page widgets
#: Select box of the sample image.
HOME_SAMPLE = "home.sample"
#: Select box of the degradation preset.
HOME_PRESET = "home.preset"
#: Number input of the degradation seed.
HOME_SEED = "home.seed"
#: The "Run quick demo" button.
HOME_RUN = "home.run"

# --- home page data
#: Metric table of the last quick demo (a pandas DataFrame), None before the first run.
HOME_RESULTS = "home.results"
#: The last :class:`ui.demo.DemoResult` (images and table), None before the first run.
HOME_DEMO = "home.demo"

# --- what flows from page to page (set by the Degrade page, or by a default when a page opens first)
#: The clean working image (float32 array), or None when the image was uploaded already degraded.
SHARED_CLEAN = "shared.clean"
#: Display name of the image (a gallery title or an uploaded file name).
SHARED_NAME = "shared.name"
#: Pipeline text of the degradation (empty for an already-degraded upload).
SHARED_SPEC = "shared.spec"
#: Seed of the degradation's random steps.
SHARED_SEED = "shared.seed"
#: The current :class:`restoration.Observation`.
SHARED_OBSERVATION = "shared.observation"
#: Identity of the current observation (image, pipeline, seed): results are kept per token.
SHARED_TOKEN = "shared.token"
#: Methods last chosen on the Restore page (the Benchmark page offers them first).
SHARED_METHODS = "shared.methods"

# --- Degrade page widgets
#: Radio: "gallery" or "upload".
DEGRADE_SOURCE = "degrade.source"
#: Select box of the gallery category.
DEGRADE_CATEGORY = "degrade.category"
#: Select box of the sample image (a key of ui.demo.list_samples()).
DEGRADE_SAMPLE = "degrade.sample"
#: File uploader of an image (never persisted: Streamlit cannot set an uploader's value).
DEGRADE_UPLOAD = "degrade.upload"
#: Check box: the upload is already degraded (no ground truth).
DEGRADE_AS_DEGRADED = "degrade.as_degraded"
#: Select box of the task of an already-degraded upload.
DEGRADE_ASSUMED_TASK = "degrade.assumed_task"
#: Number input of the noise sigma of an already-degraded upload.
DEGRADE_ASSUMED_SIGMA = "degrade.assumed_sigma"
#: Select box of the scale factor of an already-degraded upload.
DEGRADE_ASSUMED_SCALE = "degrade.assumed_scale"
#: Text input of the blur (a blur step) of an already-degraded upload.
DEGRADE_ASSUMED_BLUR = "degrade.assumed_blur"
#: Select box of the working size (a pixel budget, 0 = full size).
DEGRADE_SIZE = "degrade.size"
#: Check box: crop a region of the image.
DEGRADE_CROP = "degrade.crop"
#: Range slider of the crop's rows, in percent of the height.
DEGRADE_CROP_ROWS = "degrade.crop_rows"
#: Range slider of the crop's columns, in percent of the width.
DEGRADE_CROP_COLS = "degrade.crop_cols"
#: Select box of the degradation preset.
DEGRADE_PRESET = "degrade.preset"
#: Select box of the step to add to the pipeline.
DEGRADE_ADD_STEP = "degrade.add_step"
#: The "Add step" button.
DEGRADE_ADD = "degrade.add"
#: Text input holding (and accepting) the pipeline text.
DEGRADE_SPEC_TEXT = "degrade.spec_text"
#: Number input of the degradation seed.
DEGRADE_SEED = "degrade.seed"
#: Prefix of the step parameter widgets: ``"degrade.step.<uid>.<param>"``.
DEGRADE_STEP_PREFIX = "degrade.step."

# --- Degrade page data
#: The pipeline being edited: a list of ``{"uid": int, "name": str}`` (parameters live in widgets).
DEGRADE_STEPS = "degrade.steps"
#: Next unique id for a pipeline step.
DEGRADE_NEXT_UID = "degrade.next_uid"
#: Message of the last pipeline text that did not parse (None when it did).
DEGRADE_SPEC_ERROR = "degrade.spec_error"
#: The last decoded upload: ``ui.widgets.Upload`` or None.
DEGRADE_UPLOADED = "degrade.uploaded"

# --- Restore page widgets
#: Multiselect of the methods to run.
RESTORE_METHODS = "restore.methods"
#: The "Run" button.
RESTORE_RUN = "restore.run"
#: Prefix of the parameter widgets: ``"restore.param.<method>.<generation>.<param>=<automatic value>"``
#: (see ``ui.widgets.auto_param_widgets``).
RESTORE_PARAM_PREFIX = "restore.param."
#: Check box: run the methods over the time budget too.
RESTORE_RUN_ANYWAY = "restore.run_anyway"
#: Select boxes of the two images in the comparison slider.
RESTORE_LEFT = "restore.left"
RESTORE_RIGHT = "restore.right"
#: Sliders of the zoom box: centre (percent of width / height) and side in pixels.
RESTORE_ZOOM_X = "restore.zoom_x"
RESTORE_ZOOM_Y = "restore.zoom_y"
RESTORE_ZOOM_SIZE = "restore.zoom_size"
#: Select slider of the error that maps to the top of the colour scale (grey levels).
RESTORE_ERROR_MAX = "restore.error_max"

# --- Restore page data
#: The last run (``ui.compare.RestoreRun``) or None.
RESTORE_RESULTS = "restore.results"
#: Metric table of the last run (pandas DataFrame) or None.
RESTORE_TABLE = "restore.table"
#: No-reference scores of the last run (only when there is no clean image).
RESTORE_NR_TABLE = "restore.nr_table"
#: Generation of each method's parameter widgets (``{method: int}``): "Automatic values" starts a new one.
RESTORE_PARAM_GENERATION = "restore.param_generation"
#: What the method selection was made for: ``ui.widgets.methods_key(observation)`` (the task and its kinds of step,
#: e.g. "inpaint: noise+blur+mask"), so that the defaults are re-applied when the methods offered change.
RESTORE_METHODS_TASK = "restore.methods_task"

# --- Benchmark page widgets
#: Radio: "gallery" or "zip".
BENCH_SOURCE = "bench.source"
#: Multiselect of gallery categories.
BENCH_CATEGORIES = "bench.categories"
#: Number input: images per category.
BENCH_PER_CATEGORY = "bench.per_category"
#: Select box of the working size of every image.
BENCH_SIZE = "bench.size"
#: File uploader of a zip file (one folder per category).
BENCH_ZIP = "bench.zip"
#: Multiselect of degradation presets.
BENCH_PRESETS = "bench.presets"
#: Text area of further pipelines, one per line.
BENCH_SPECS = "bench.specs"
#: Multiselect of the methods.
BENCH_METHODS = "bench.methods"
#: Number input of the seed.
BENCH_SEED = "bench.seed"
#: Number input of the worker processes.
BENCH_WORKERS = "bench.workers"
#: The "Run benchmark" button.
BENCH_RUN = "bench.run"
#: Check box: run the methods over the time budget too.
BENCH_RUN_ANYWAY = "bench.run_anyway"
#: Radio of the metric shown in tables and charts ("psnr" or "ssim").
BENCH_METRIC = "bench.metric"
#: Select box of the degradation shown in the tables and charts.
BENCH_DEGRADATION = "bench.degradation"
#: Select boxes of the degradations compared with the survey's section 4.1 (Tables 3-4) and 4.2 (Tables 5-6).
BENCH_SURVEY_41 = "bench.survey_41"
BENCH_SURVEY_42 = "bench.survey_42"

# --- Benchmark page data
#: Tidy result table of the last benchmark (pandas DataFrame) or None.
BENCH_RESULTS = "bench.results"
#: Description of the last benchmark (dict: images, degradations, methods, seed, seconds).
BENCH_REQUEST = "bench.request"

# --- Learn page widgets
#: Radio of the family shown.
LEARN_FAMILY = "learn.family"
#: Slider of the noise level of the small example image.
LEARN_SIGMA = "learn.sigma"
#: Sliders and select boxes of the looks inside, one family each.
LEARN_WINDOW = "learn.window"
LEARN_WAVELET_METHOD = "learn.wavelet_method"
LEARN_WAVELET_MODE = "learn.wavelet_mode"
LEARN_TV_LAM = "learn.tv_lam"
LEARN_BM3D_ROW = "learn.bm3d_row"
LEARN_BM3D_COL = "learn.bm3d_col"
LEARN_BLOCK = "learn.block"
LEARN_PNP_ITER = "learn.pnp_iter"
LEARN_UNFOLDED_STAGE = "learn.unfolded_stage"
LEARN_SPARSE_ROW = "learn.sparse_row"
LEARN_SPARSE_COL = "learn.sparse_col"

#: Non-widget keys and their initial values.
DEFAULTS: dict[str, Any] = {
    HOME_RESULTS: None,
    HOME_DEMO: None,
    SHARED_CLEAN: None,
    SHARED_NAME: "",
    SHARED_SPEC: "",
    SHARED_SEED: 0,
    SHARED_OBSERVATION: None,
    SHARED_TOKEN: "",
    SHARED_METHODS: None,
    DEGRADE_STEPS: None,
    DEGRADE_NEXT_UID: 0,
    DEGRADE_SPEC_ERROR: None,
    DEGRADE_UPLOADED: None,
    RESTORE_RESULTS: None,
    RESTORE_TABLE: None,
    RESTORE_NR_TABLE: None,
    RESTORE_PARAM_GENERATION: {},
    RESTORE_METHODS_TASK: "",
    BENCH_RESULTS: None,
    BENCH_REQUEST: None,
}

#: ``persist_state`` of every page widget: values survive a visit to another page.
PERSIST = "session"
