"""Registry entries: the traditional chain for the combined degradation."""

from ..algorithm import AlgorithmSpec, RunCost
from ..params import ParamSpec

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="classic_chain",
        title="Traditional chain: BM3D, then TV super-resolution with the known blur",
        family="deconvolution",
        tasks=frozenset({"combined"}),
        entry="restoration.classic.chain:run_classic_chain",
        cost=RunCost(gray=5.1, colour=12.0),
        params=(
            ParamSpec("denoiser", "choice", "bm3d", choices=("bm3d", "wavelet", "none"),
                      help="First step on the small noisy image: BM3D (best, a few seconds), wavelet shrinkage "
                           "(fast) or none."),
            ParamSpec("sigma", "float", 10.0, 0.0, 255.0, 1.0,
                      help="Noise level given to the denoiser (0-255; 0 = known value or estimate); larger removes "
                           "more noise and more detail."),
            ParamSpec("lam", "float", 6e-4, 0.0, 0.05, 0.0001,
                      help="Total-variation weight of the second step: larger is flatter and cleaner, smaller keeps "
                           "more texture and leftover noise."),
            ParamSpec("iterations", "int", 100, 10, 1000, 10,
                      help="Most iterations of the TV solver (it stops earlier once the image settles)."),
        ),
        reference=(
            "K. Dabov et al., BM3D, IEEE TIP 16(8), 2007; A. Marquina and S. J. Osher, Image super-resolution by "
            "TV-regularization and Bregman iteration, J. Sci. Comput. 2008; A. Chambolle and T. Pock, JMIV 2011."
        ),
        explanation=(
            "The best the classic toolbox does on blur + downsampling + noise: first remove the noise on the small "
            "image, where it is still plain white noise, with BM3D; then look for the sharp large image that, "
            "blurred by the known kernel and shrunk, gives the denoised small one, preferring flat regions with "
            "crisp edges (total variation)."
        ),
        needs=frozenset({"kernel", "scale", "sigma", "mask"}),
        auto_params="restoration.classic.chain:auto_classic_chain",
    ),
)
