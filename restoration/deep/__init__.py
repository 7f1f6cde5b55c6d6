"""Deep restoration models (PyTorch), imported only when a deep method runs.

Layout (KAIR / pytorch-examples habit): one architecture per file in ``archs/``,
checksummed weight loading in ``weights.py``, tiled inference in ``inference.py``,
training in ``train.py``, and the registry runners in ``runners.py``.
"""
