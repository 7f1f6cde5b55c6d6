"""Registry entries: wavelet shrinkage."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, sigma_param, tuning_param

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="wavelet",
        prior="restoration.classic.wavelet:wavelet_prior",
        default_rank=4,
        title="Wavelet shrinkage (BayesShrink / VisuShrink)",
        family="wavelet",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry="restoration.classic.wavelet:run_wavelet",
        cost=measured_cost("wavelet"),
        params=(
            sigma_param(25.0, effect="It sets the thresholds: larger removes more noise and more detail."),
            ParamSpec("method", "choice", "bayes", choices=("bayes", "visu"),
                      help="BayesShrink adapts the threshold to each subband; VisuShrink uses one large threshold."),
            ParamSpec("mode", "choice", "soft", choices=("soft", "hard"),
                      help="Soft shrinks every coefficient towards zero; hard keeps or kills (use scale ~2.5)."),
            ParamSpec("threshold_scale", "float", 1.0, 0.1, 5.0, 0.05,
                      help="Multiplies the thresholds: above 1 removes more noise and more detail."),
            ParamSpec("wavelet", "choice", "sym8", choices=("sym8", "db4", "db8", "coif3", "sym4", "db1"),
                      help="The wavelet family; db1 (Haar) gives blocky results, longer ones smoother results."),
            ParamSpec("levels", "int", 4, 0, 8, 1,
                      help="Number of decomposition levels (0 = automatic); more also removes coarse blotches."),
            ParamSpec("shifts", "int", 4, 1, 8, 1,
                      help="Cycle spinning: average over shifts x shifts translations (1 = off); removes artefacts."),
            ParamSpec("colour", "choice", "opponent", choices=("opponent", "rgb"),
                      help="Colour images: shrink in a decorrelated luminance/chroma space, or per RGB channel."),
            tuning_param("sigma"),
        ),
        reference=(
            "D. L. Donoho and I. M. Johnstone, Ideal spatial adaptation by wavelet shrinkage, Biometrika 1994; "
            "S. G. Chang, B. Yu and M. Vetterli, Adaptive wavelet thresholding, IEEE TIP 2000; "
            "R. R. Coifman and D. L. Donoho, Translation-invariant de-noising, 1995."
        ),
        explanation=(
            "A wavelet transform packs the image into a few large coefficients, while the noise spreads evenly "
            "over all of them. Shrinking the small coefficients towards zero removes mostly noise; averaging "
            "over shifted copies (cycle spinning) removes the blocky artefacts of a single transform."
        ),
        needs=frozenset({"sigma"}),
        auto_params="restoration.classic.wavelet:auto_wavelet",
    ),
)
