"""Registry entries: variational (total-variation) models, all solved by one primal-dual solver."""

from ..algorithm import AlgorithmSpec
from ..costs import measured_cost
from ..params import ParamSpec, lam_param, tuning_param

_VAR = "restoration.classic.variational"
_REF_CP = (
    "A. Chambolle and T. Pock, A first-order primal-dual algorithm for convex problems with applications to "
    "imaging, JMIV 2011"
)


def _lam(default: float) -> ParamSpec:
    return lam_param(default, effect="The prior is the total variation: larger gives a smoother, flatter image.")


def _iterations(default: int) -> ParamSpec:
    return ParamSpec("iterations", "int", default, 1, 3000, 10,
                     help="Most solver iterations (it stops earlier once the image stops changing).")


SPECS: tuple[AlgorithmSpec, ...] = (
    AlgorithmSpec(
        name="tv",
        default_rank=5,
        title="Total-variation denoising (ROF)",
        family="variational",
        tasks=frozenset({"denoise"}),
        undoes=frozenset({"noise"}),
        entry=f"{_VAR}:run_tv",
        cost=measured_cost("tv"),
        params=(
            lam_param(0.075, effect="The prior is the total variation: larger gives a smoother, flatter image "
                                    "(on colour images, the weight of the luminance)."),
            ParamSpec("chroma", "float", 2.2, 0.25, 8.0, 0.05,
                      help="Colour images: the colour differences' TV weight as a multiple of lam; above 1 smooths "
                           "colour more than brightness (natural colours are smooth), which removes coloured "
                           "blotches. Tuned on held-out colour photos."),
            ParamSpec("colour", "choice", "opponent", choices=("opponent", "rgb"),
                      help="Colour images: luminance/chrominance TV (a TV for the brightness and a stronger one for "
                           "the two colour differences), or one vectorial TV over R, G and B."),
            _iterations(300),
            tuning_param("lam"),
        ),
        reference=f"L. Rudin, S. Osher and E. Fatemi, Physica D 1992; {_REF_CP}.",
        explanation=(
            "Finds the image closest to the noisy one whose total variation (the summed length of its "
            "gradient) is small. Flat regions become perfectly flat while edges stay sharp; fine texture is "
            "lost and smooth ramps turn into staircases. Colour images are split into brightness and two colour "
            "differences, and the colours are smoothed more than the brightness."
        ),
        needs=frozenset({"sigma"}),
        auto_params=f"{_VAR}:auto_tv",
    ),
    AlgorithmSpec(
        name="tv_deconv",
        default_rank=6,
        title="Total-variation deconvolution",
        family="variational",
        tasks=frozenset({"deblur"}),
        undoes=frozenset({"blur", "noise"}),
        entry=f"{_VAR}:run_tv_deconv",
        cost=measured_cost("tv_deconv"),
        params=(_lam(0.0015), _iterations(300)),
        reference=f"T. F. Chan and C.-K. Wong, Total variation blind deconvolution, IEEE TIP 1998; {_REF_CP}.",
        explanation=(
            "Looks for an image that, blurred by the known kernel, matches the observation, and among those "
            "prefers one with small total variation. The TV term suppresses the noise and ringing that plain "
            "inversion of the blur would amplify."
        ),
        needs=frozenset({"kernel", "sigma"}),
        auto_params=f"{_VAR}:auto_tv_deconv",
    ),
    AlgorithmSpec(
        name="tv_inpaint",
        default_rank=8,
        title="Total-variation inpainting",
        family="variational",
        tasks=frozenset({"inpaint"}),
        undoes=frozenset({"mask", "noise", "blur"}),
        entry=f"{_VAR}:run_tv_inpaint",
        cost=measured_cost("tv_inpaint"),
        params=(_lam(0.001), _iterations(300)),
        reference=(
            "T. F. Chan and J. Shen, Mathematical models for local nontexture inpaintings, SIAM J. Appl. Math. "
            f"2002; {_REF_CP}."
        ),
        explanation=(
            "Fills the missing pixels with the image of smallest total variation that agrees with the known "
            "ones (seen through the known blur, when the pipeline also blurred the image: it then deblurs too). "
            "Edges are continued across small gaps; large holes get flat, cartoon-like fills."
        ),
        needs=frozenset({"mask", "kernel", "sigma"}),
        auto_params=f"{_VAR}:auto_tv_inpaint",
    ),
    AlgorithmSpec(
        name="tv_sr",
        default_rank=7,
        title="Total-variation super-resolution",
        family="variational",
        tasks=frozenset({"sr", "combined"}),
        undoes=frozenset({"downsample", "blur", "noise", "mask"}),
        entry=f"{_VAR}:run_tv_sr",
        cost=measured_cost("tv_sr"),
        params=(_lam(0.0001), _iterations(100)),
        reference=(
            "A. Marquina and S. J. Osher, Image super-resolution by TV-regularization and Bregman iteration, "
            f"J. Sci. Comput. 2008; {_REF_CP}."
        ),
        explanation=(
            "Looks for a high-resolution image that, blurred (if a kernel is known) and downsampled exactly as "
            "the observation was, reproduces it, preferring small total variation. Edges come out sharper than "
            "with bicubic interpolation; textures come out flat."
        ),
        needs=frozenset({"scale", "kernel", "mask", "sigma"}),
        auto_params=f"{_VAR}:auto_tv_sr",
    ),
)
