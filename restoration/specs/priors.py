"""Which denoisers other solvers can plug in as their prior.

Plug-and-play and the classic chain alternate a data step with a denoising step; they offer exactly these
registry names as their ``denoiser`` parameter and call them through :func:`restoration.registry.denoiser`.
Each named spec states its ``prior`` function; a test checks that this list and the specs agree.
"""

#: Registry names of the denoisers usable as a prior, the default first.
PRIORS: tuple[str, ...] = ("cnn_denoise", "bm3d", "wavelet", "nlm")
