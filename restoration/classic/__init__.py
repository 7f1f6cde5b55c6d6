"""Classic (non-learned) restoration algorithms, one module per family.

Each module exposes scikit-image-shaped functions (image first, keyword-only knobs,
output with the input's shape) and ``run_*`` adapters that the registry calls with an
:class:`~restoration.degradations.Observation`.
"""
