"""Registry entries: deep CNNs (weights trained by this project, shipped in assets/weights)."""

from ..algorithm import AlgorithmSpec
from ..params import ParamSpec

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="cnn_denoise",
        title="Attention CNN denoiser (20 layers)",
        family="deep",
        tasks=frozenset({"denoise"}),
        entry="restoration.deep.runners:run_cnn_denoise",
        params=(
            ParamSpec("sigma", "float", 25.0, 0.0, 75.0, 1.0,
                      help="Noise level (0-255) given to the network; defaults to the known or estimated level. "
                           "Higher smooths more."),
            ParamSpec("blind", "bool", False,
                      help="Ignore the known noise level and estimate it from the image."),
        ),
        reference=(
            "The survey's 20-layer residual CNN with attention; design after DnCNN (Zhang et al., IEEE TIP 2017), "
            "FFDNet (Zhang et al., IEEE TIP 2018) and RCAN's channel attention (Zhang et al., ECCV 2018)."
        ),
        explanation=(
            "A network of 20 convolution layers learned from 400 clean photos how noise differs from image "
            "structure. It predicts the noise and subtracts it; the noise level is an input, so one network "
            "handles light and heavy noise, and attention lets it weigh its feature maps per image."
        ),
        needs=frozenset({"sigma"}),
        uses_torch=True,
        auto_params="restoration.deep.runners:cnn_denoise_defaults",
    ),
)
