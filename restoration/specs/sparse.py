"""Registry entries: sparse representation over a learned dictionary (K-SVD)."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, sigma_param

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="sparse",
        assets=("dictionaries/ksvd_gray_8x8.npz",),
        title="Sparse coding over a learned dictionary (K-SVD)",
        family="sparse",
        tasks=frozenset({"denoise", "inpaint"}),
        undoes=frozenset({"noise", "mask"}),
        entry="restoration.classic.sparse:run_sparse",
        cost=measured_cost("sparse"),
        params=(
            sigma_param(25.0, effect="It sets when coding stops: larger uses fewer atoms and smooths more."),
            ParamSpec("gain", "float", 1.15, 0.5, 3.0, 0.05,
                      help="Multiplies the allowed residual per patch: larger stops earlier (smoother), smaller "
                           "keeps more detail and more noise."),
            ParamSpec("stride", "int", 1, 1, 8, 1,
                      help="Distance between coded patches: 1 codes every patch (best, slowest), larger is faster."),
            ParamSpec("adapt_iterations", "int", 0, 0, 20, 1,
                      help="K-SVD rounds that adapt the shipped dictionary to this image before coding "
                           "(0 = off); more fits the image better and takes longer."),
        ),
        reference=(
            "M. Elad and M. Aharon, Image denoising via sparse and redundant representations over learned "
            "dictionaries, IEEE TIP 15(12), 2006; M. Aharon, M. Elad and A. Bruckstein, K-SVD, IEEE TSP 54(11), "
            "2006; J. Mairal, M. Elad and G. Sapiro, Sparse representation for color image restoration, IEEE TIP "
            "17(1), 2008."
        ),
        explanation=(
            "A dictionary of 256 small 8x8 patterns was learned from clean photos. Every 8x8 patch of the image is "
            "rebuilt from as few patterns as possible, stopping once the rest looks like noise, and the "
            "overlapping rebuilt patches are averaged. Noise cannot be written with few patterns, so it is left "
            "out; for inpainting, the patterns are fitted on the known pixels and fill in the missing ones."
        ),
        needs=frozenset({"sigma", "mask"}),
        seeded=True,
        auto_params="restoration.classic.sparse:auto_sparse",
    ),
)
