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


def test_installed_package_imports_from_anywhere(tmp_path):
    """``pip install -e .`` (the README's commands) makes ``restoration`` importable without touching sys.path."""
    code = "import restoration, restoration.results, restoration.explain; print(restoration.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, f"restoration is not installed (pip install --no-deps -e .): {out.stderr[-500:]}"


def _imports(path):
    """Every module a file imports, at module level or inside functions (``from ui import x`` gives ``ui.x``)."""
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_ui_is_a_one_way_import_graph_and_pages_use_public_modules():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ui = {f"ui.{p.stem}": p for p in (root / "ui").glob("*.py") if p.stem != "__init__"}
    edges = {m: {n for n in _imports(p) if n in ui and n != m} for m, p in ui.items()}
    done, path = set(), []

    def visit(module):
        assert module not in path, "import cycle: " + " -> ".join([*path[path.index(module):], module])
        if module in done:
            return
        path.append(module)
        for target in sorted(edges[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(ui):
        visit(module)
    assert not edges["ui.keys"] and "streamlit" not in _imports(ui["ui.keys"])  # the leaf
    for pure in ("ui.uploads", "ui.charts", "ui.survey", "ui.demo", "ui.keys"):
        assert not any(n.split(".")[0] == "streamlit" for n in _imports(ui[pure])), f"{pure} imports streamlit"
    for page in [root / "app.py", *(root / "pages").glob("*.py")]:
        private = sorted(n for n in _imports(page) if n.startswith(("restoration.classic", "restoration.deep")))
        assert not private, f"{page.name} reaches into {private}: use restoration, restoration.explain or ui"
