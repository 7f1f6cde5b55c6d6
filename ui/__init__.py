"""Streamlit-side helpers of the workbench: the layer between ``pages/`` and :mod:`restoration`.

Dependency rule: ``pages/ -> ui/ -> restoration``. :mod:`restoration` never imports
streamlit; modules here may. :mod:`ui.demo` is deliberately free of streamlit so its
logic can be tested as plain Python; :mod:`ui.state` holds the session-state keys and
:mod:`ui.cache` every ``st.cache_data`` / ``st.cache_resource`` wrapper.

This ``__init__`` imports nothing, so ``import ui.demo`` does not pull in streamlit.
"""
