"""Entry point of the Image Restoration Workbench (``streamlit run app.py``): the pages, listed in one place.

``st.navigation`` runs the chosen page; the ``pages/`` folder is not scanned for pages any more, so a page
exists only once it is listed here. Each page keeps the address it had (``/Degrade``, ``/Restore``,
``/Benchmark``, ``/Learn``; Home at ``/``), and links between pages name the page file
(``st.page_link("pages/2_Restore.py")``). Every page file also runs on its own
(``AppTest.from_file("pages/2_Restore.py")``), links then showing as plain text.
"""

from __future__ import annotations

import base64
from pathlib import Path

import streamlit as st

#: The favicon stays Streamlit's own. It is set before ``st.navigation``: otherwise the browser takes the page's
#: material icon as the favicon and fetches it from fonts.gstatic.com, and the app requests nothing from outside.
#: It goes as a data URI (1 kB): given as a file, every run would store it as a media file, which another
#: session's finished run can delete before the browser fetches it (a 404 under a class's load).
FAVICON = "data:image/png;base64," + base64.b64encode(
    (Path(st.__file__).parent / "static" / "favicon.png").read_bytes()).decode("ascii")

PAGES = [
    st.Page("pages/0_Home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/1_Degrade.py", title="Degrade", icon=":material/blur_on:", url_path="Degrade"),
    st.Page("pages/2_Restore.py", title="Restore", icon=":material/auto_fix_high:", url_path="Restore"),
    st.Page("pages/3_Benchmark.py", title="Benchmark", icon=":material/leaderboard:", url_path="Benchmark"),
    st.Page("pages/4_Learn.py", title="Learn", icon=":material/school:", url_path="Learn"),
]

st.set_page_config(page_title="Image Restoration Workbench", page_icon=FAVICON, layout="wide")
st.navigation(PAGES).run()
