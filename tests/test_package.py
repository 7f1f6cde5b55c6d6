"""Package-level guarantees."""

import subprocess
import sys


def test_import_is_light():
    code = (
        "import sys, restoration, restoration.registry, restoration.benchmark, restoration.specs; "
        "heavy = [m for m in ('torch', 'streamlit', 'plotly') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api():
    import restoration

    for name in restoration.__all__:
        assert hasattr(restoration, name), name
