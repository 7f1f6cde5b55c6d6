"""Registry entries: deep CNNs (weights trained by this project, shipped in assets/weights)."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, lam_param, sigma_param
from .priors import PRIORS

SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="cnn_denoise",
        assets=("weights/cnn_denoise_gray.pt", "weights/cnn_denoise_color.pt"),
        prior="restoration.deep.runners:cnn_prior",
        default_rank=1,
        title="Attention CNN denoiser (20 layers)",
        family="deep",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry="restoration.deep.runners:run_cnn_denoise",
        params=(
            sigma_param(25.0, high=75.0, effect="Given to the network as its noise map: higher smooths more."),
            ParamSpec("blind", "bool", False,
                      help="Ignore the known noise level and estimate it from the image."),
            ParamSpec("bf16", "bool", False,
                      help="Compute in bfloat16: about twice as fast where the CPU has native bfloat16 "
                           "(AVX-512 BF16, AMX), a few hundredths of a dB lower; 8-14x slower where it is emulated. "
                           "On by default only where the CPU executes it natively."),
        ),
        reference=(
            "The survey's 20-layer residual CNN with attention; design after DnCNN (Zhang et al., IEEE TIP 2017), "
            "FFDNet (Zhang et al., IEEE TIP 2018) and RCAN's channel attention (Zhang et al., ECCV 2018)."
        ),
        explanation=(
            "A network of 20 convolution layers learned from clean photos how noise differs from image "
            "structure: a gray model from 400 gray photos, a colour model from 400 colour ones, which sees the "
            "three colour channels together in one pass. It predicts the noise and subtracts it; the noise level "
            "is an input, so one network handles light and heavy noise, and attention lets it weigh its feature "
            "maps per image."
        ),
        needs=frozenset({"sigma"}),
        uses_torch=True,
        auto_params="restoration.deep.runners:cnn_denoise_defaults",
        cost=measured_cost("cnn_denoise"),
    ),
    AlgorithmSpec(
        name="cnn_sr",
        default_rank=2,
        assets=("weights/cnn_sr.pt",),
        title="Attention CNN super-resolution (x2, x3, x4)",
        family="deep",
        tasks=frozenset({"sr"}),
        undoes=frozenset({"downsample"}),
        entry="restoration.deep.upscale:run_cnn_sr",
        params=(),
        reference=(
            "Residual learning on the bicubic enlargement as VDSR (Kim et al., CVPR 2016) with one model for "
            "several scales; channel attention after RCAN (Zhang et al., ECCV 2018); evaluation on the luma as "
            "SRCNN (Dong et al., ECCV 2014)."
        ),
        explanation=(
            "The image is first enlarged by bicubic interpolation, which is smooth but blurry. A network of 18 "
            "convolution layers, trained here on 432 photos shrunk and enlarged again, predicts the sharp detail "
            "that interpolation missed and adds it. It works on the brightness channel, where the eye sees "
            "detail; one network serves x2, x3 and x4."
        ),
        needs=frozenset({"scale"}),
        uses_torch=True,
        cost=measured_cost("cnn_sr"),
    ),
    AlgorithmSpec(
        name="cnn_combined",
        default_rank=2,
        assets=("weights/cnn_combined.pt",),
        title="Unfolded CNN for the survey's combined degradation",
        family="deep",
        tasks=frozenset({"combined"}),
        undoes=frozenset({"blur", "downsample", "noise"}),
        entry="restoration.deep.upscale:run_cnn_combined",
        params=(
            sigma_param(10.0, high=50.0, effect="Given to the network: higher smooths more."),
            ParamSpec("blind", "bool", False,
                      help="Ignore the known noise level and estimate it from the image."),
            ParamSpec("bf16", "bool", False,
                      help="Compute the network in bfloat16: faster where the CPU has native bfloat16 (AVX-512 "
                           "BF16, AMX), slightly less accurate; much slower where it is emulated. On by default "
                           "only where the CPU executes it natively."),
        ),
        reference=(
            "The survey's main experiment (motion blur, downsampling x2, Gaussian noise) restored by a network "
            "trained end to end, as in its Tables 3-4; unfolded half-quadratic splitting after USRNet (Zhang, "
            "Van Gool and Timofte, CVPR 2020) with the attention CNN denoiser as its learned prior."
        ),
        explanation=(
            "A plug-and-play solver with a fixed number of rounds, trained as one network. Each round first makes "
            "the image agree with the observation through the known blur and downsampling (an exact step "
            "computed with Fourier transforms), then cleans it with the learned denoiser. Training on 432 photos, "
            "each given a random camera shake, halved and made noisy, tuned the denoiser and the step sizes "
            "to this task."
        ),
        needs=frozenset({"kernel", "scale", "sigma"}),
        uses_torch=True,
        auto_params="restoration.deep.upscale:cnn_combined_defaults",
        cost=measured_cost("cnn_combined"),
    ),
    AlgorithmSpec(
        name="pnp",
        default_rank=2,
        title="Plug-and-play (HQS with a learned denoiser)",
        family="pnp",
        tasks=frozenset({"deblur", "sr", "inpaint", "combined"}),
        undoes=frozenset({"blur", "downsample", "mask", "noise"}),
        entry="restoration.deep.pnp:run_pnp",
        params=(
            ParamSpec("denoiser", "choice", PRIORS[0], choices=PRIORS,
                      help="The denoiser used as the prior, by method name: the trained CNN (fast, the default), "
                           "BM3D (slow, classic), wavelet shrinkage or non-local means."),
            ParamSpec("iterations", "int", 8, 1, 40, 1,
                      help="Number of data-step + denoiser-step rounds; more is slower and usually sharper."),
            lam_param(0.23, low=0.01, high=2.0, step=0.01, effect="Larger gives smoother results."),
            ParamSpec("sigma_start", "float", 49.0, 5.0, 75.0, 1.0,
                      help="Denoising strength of the first round (0-255); it falls to the noise level."),
        ),
        reference=(
            "Venkatakrishnan, Bouman, Wohlberg, Plug-and-play priors for model based reconstruction, GlobalSIP 2013; "
            "Zhang et al., Plug-and-play image restoration with deep denoiser prior (DPIR), IEEE TPAMI 2021."
        ),
        explanation=(
            "The bridge between variational models and deep learning: the solver alternates a step that makes "
            "the image agree with the measurements (using the known blur, downsampling or mask) with a step that "
            "denoises it with the trained network, which plays the role of the prior. No retraining is needed "
            "for a new degradation."
        ),
        needs=frozenset({"kernel", "scale", "mask", "sigma"}),
        uses_torch=True,
        auto_params="restoration.deep.pnp:pnp_defaults",
        cost=measured_cost("pnp"),
    ),
    AlgorithmSpec(
        name="zs_denoise",
        title="Zero-shot deep denoiser (trained on the noisy image alone)",
        family="selfsup",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry="restoration.deep.zeroshot:run_zs_denoise",
        params=(
            ParamSpec("iterations", "int", 800, 50, 3000, 50,
                      help="Training steps of the network on this image: more fits it better and takes longer "
                           "(about a second per 70 steps on two cores). 800 was chosen on held-out images "
                           "(docs/benchmarks/zeroshot_select.md): 1200 added 0.04 dB for half as much time again."),
        ),
        reference=(
            "Huang et al., Neighbor2Neighbor: self-supervised denoising from single noisy images, CVPR 2021; "
            "Mansour and Heckel, Zero-Shot Noise2Noise: efficient image denoising without any data, CVPR 2023; "
            "Lehtinen et al., Noise2Noise, ICML 2018."
        ),
        explanation=(
            "No training set and no shipped weights: a small network is trained, there and then, on the one noisy "
            "image. At every step the image is split into two half-size images (in every 2x2 block a random pixel "
            "and one of its neighbours), which show the same scene with independent noise; the network learns to "
            "turn one into the other, which it can only do by removing noise. It needs no noise level and adapts "
            "to the noise it sees, but it knows nothing about images beyond this one, so trained denoisers beat it "
            "on the noise they were trained for."
        ),
        seeded=True,
        uses_torch=True,
        cost=measured_cost("zs_denoise"),
    ),
)
