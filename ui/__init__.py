"""Streamlit-side helpers of the workbench: the layer between ``pages/`` and :mod:`restoration`.

Dependency rule: ``pages/ -> ui/ -> restoration``. :mod:`restoration` never imports
streamlit; modules here may. Inside ``ui`` imports go one way, function-level ones
included: :mod:`ui.cache` (every ``st.cache_data`` / ``st.cache_resource`` wrapper)
-> :mod:`ui.widgets` -> :mod:`ui.state` (``init_state`` and the helpers that write
session state) -> :mod:`ui.keys` (the session-state keys: constants only, imported
by every module and page). :mod:`ui.demo`, :mod:`ui.uploads`, :mod:`ui.charts`,
:mod:`ui.survey`, :mod:`ui.learn`, :mod:`ui.report` and :mod:`ui.compare` are free of
streamlit (:mod:`ui.compare` imports it only inside :func:`ui.compare.show_slider`, when
the slider is drawn), so their logic can be tested as plain Python.

This ``__init__`` imports nothing, so ``import ui.demo`` does not pull in streamlit.
"""
