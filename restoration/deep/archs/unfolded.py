"""An unfolded network for the survey's combined degradation: exact physics steps + a learned prior.

The combined degradation is ``y = D(k * x) + n``: motion blur ``k``, MATLAB-bicubic downsampling
``D`` by ``s`` and white Gaussian noise. Half-quadratic splitting (as in plug-and-play, see
:mod:`restoration.deep.pnp`) alternates a *data step*, which pulls the estimate towards
consistency with ``y`` through the known operator, and a *prior step*, a denoiser. Unfolding
(Zhang, Van Gool and Timofte, "Deep unfolding network for image super-resolution", CVPR 2020)
fixes the number of iterations and trains the whole chain end to end, so that the denoiser and
the step sizes learn what this inverse problem needs rather than plain denoising:

* **data step** -- ``x = argmin ||S (K x) - y||^2 + alpha_t ||x - z||^2`` where ``K`` is the
  circular convolution with the *total* kernel (motion blur, then the bicubic anti-aliasing
  filter centred between pixels as MATLAB's ``imresize`` does) and ``S`` keeps one pixel in
  ``s x s``. Its closed form in the Fourier domain needs only element-wise products and an
  average over ``s x s`` frequency blocks (Zhao et al., IEEE TIP 2016), so it is exact and cheap.
* **prior step** -- ``z = P(x, beta_t)``: the
  :class:`~restoration.deep.archs.denoiser.AttentionDenoiser` (pixel-unshuffled residual CNN with
  channel attention), told the stage's level ``beta_t`` as its map. It is shared by all stages, or
  (``priors=K``) the stages are cut into ``K`` consecutive groups with a prior each: more
  parameters at the same cost per pixel, as early stages clean a rough estimate and late ones
  refine detail. With
  ``channels=3`` it is the colour denoiser, which sees the three RGB channels together in one pass
  (the data step works on each channel with the same kernel); with ``channels=1`` a gray prior
  restores planes (colour images then go through it as three opponent-colour planes).
* **hyper-parameters** -- ``alpha_t`` and ``beta_t`` start on the DPIR schedule for the
  observation's noise level (``beta`` falling geometrically from 49/255 to sigma, ``alpha_t =
  lam sigma^2 / beta_t^2``) and a small network learns a correction of each, as a function of
  the noise level.

The network sees the kernel, so it is *non-blind*: the app knows the blur it applied (and the
user states it for an uploaded image), exactly as for the classic chain and PnP.
"""

from __future__ import annotations

import torch
from torch import nn

from .denoiser import AttentionDenoiser

__all__ = ["UnfoldedRestorer", "data_step", "fold_terms"]


def _split_mean(a: torch.Tensor, s: int) -> torch.Tensor:
    """Average the ``s x s`` blocks of size (H/s, W/s) of the last two axes (aliasing in frequency)."""
    *lead, h, w = a.shape
    return a.reshape(*lead, s, h // s, s, w // s).mean(dim=(-4, -2))


def fold_terms(y: torch.Tensor, otf: torch.Tensor, scale: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The parts of :func:`data_step` that depend only on the observation: ``F(K^T S^T y)`` and ``fold(|K|^2)``."""
    s = scale
    n, c, h, w = y.shape
    up = torch.zeros(n, c, h * s, w * s, dtype=torch.float32, device=y.device)
    up[..., ::s, ::s] = y.float()
    return torch.conj(otf) * torch.fft.fft2(up), _split_mean(otf.real**2 + otf.imag**2, s)


def data_step(z: torch.Tensor, y: torch.Tensor, otf: torch.Tensor, alpha: torch.Tensor, scale: int, *,
              terms: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
    """Exact ``argmin_x ||S (K x) - y||^2 + alpha ||x - z||^2`` for circular ``K`` (transfer function ``otf``).

    With ``d = K^T S^T y + alpha z``, the Sherman-Morrison-Woodbury identity and the fact that
    ``S^T S`` folds the spectrum into ``s x s`` aliased copies give, in the Fourier domain,
    ``x = (d - conj(K) . fold(K d) / (fold(|K|^2) + alpha)) / alpha``, where ``fold`` averages the
    copies (Zhao et al., "Fast single image super-resolution using a new analytical solution for
    l2-l2 problems", IEEE TIP 2016).

    Parameters
    ----------
    z : torch.Tensor
        (N, C, H, W) current estimate (the proximal centre).
    y : torch.Tensor
        (N, C, H/s, W/s) observation.
    otf : torch.Tensor
        (N, 1, H, W) complex transfer function of ``K`` (the same for every channel).
    alpha : torch.Tensor
        (N, 1, 1, 1) weight of the proximal term.
    scale : int
        ``s``: ``S`` keeps the top-left pixel of every ``s x s`` block.
    terms : tuple of torch.Tensor, optional
        :func:`fold_terms` of ``(y, otf, scale)``, when already computed (they do not change between
        iterations).
    """
    s = scale
    ky, power = terms if terms is not None else fold_terms(y, otf, s)
    rhs = ky + alpha * torch.fft.fft2(z.float())
    aliased = _split_mean(otf * rhs, s) / (power + alpha)
    return torch.fft.ifft2((rhs - torch.conj(otf) * aliased.repeat(1, 1, s, s)) / alpha).real


def _group(t: int, priors: int, stages: int) -> int:
    """The group (0-based) of stage ``t`` when ``stages`` stages are cut into ``priors`` consecutive groups."""
    return t * priors // stages


class UnfoldedRestorer(nn.Module):
    """``forward(y, otf, sigma) -> x``: restore images observed through ``S K`` plus noise.

    Parameters
    ----------
    stages : int
        Number of unfolded (data step, prior step) iterations.
    features, blocks, reduction, unshuffle : int
        Arguments of the shared :class:`AttentionDenoiser` prior.
    channels : int
        Channels of the prior: 3 (RGB images, one pass) or 1 (one-channel planes).
    scale : int
        Downsampling factor of the observation.
    lam, sigma_start : float
        DPIR schedule the hyper-parameters start from (``sigma_start`` on the 0-255 scale).
    priors : int
        Number of priors: 1 shares one prior among all stages; ``K`` gives each of ``K`` consecutive
        groups of stages its own (stage ``t`` uses prior ``t K // stages``). Prior 0 is ``prior``,
        the others ``stage_priors``, so the parameter names of a shared model are unchanged.
    """

    def __init__(self, stages: int = 5, features: int = 64, blocks: int = 9, reduction: int = 8,
                 unshuffle: int = 2, scale: int = 2, lam: float = 0.23, sigma_start: float = 49.0,
                 channels: int = 1, priors: int = 1) -> None:
        super().__init__()
        if not 1 <= priors <= stages:
            raise ValueError(f"priors must be between 1 and stages ({stages}), got {priors}")
        self.stages = stages
        self.scale = scale
        self.channels = channels
        self.unshuffle = unshuffle * scale  # the high-resolution grid must be a multiple of this
        self.lam = lam
        self.sigma_start = sigma_start
        shape = {"channels": channels, "features": features, "blocks": blocks, "reduction": reduction,
                 "unshuffle": unshuffle}
        self.prior = AttentionDenoiser(**shape)
        self.stage_priors = nn.ModuleList(AttentionDenoiser(**shape) for _ in range(priors - 1))
        self.hyper = nn.Sequential(nn.Linear(1, 32), nn.ReLU(), nn.Linear(32, 2 * stages))
        nn.init.zeros_(self.hyper[2].weight)
        nn.init.zeros_(self.hyper[2].bias)
        # filled when recording (for teaching): the estimate after each data step and after each prior step
        self.iterates: list[torch.Tensor] | None = None
        self.data_iterates: list[torch.Tensor] | None = None

    @property
    def priors(self) -> int:
        """Number of distinct priors (1: shared by every stage)."""
        return 1 + len(self.stage_priors)

    def prior_of(self, t: int) -> nn.Module:
        """The prior of stage ``t`` (0-based)."""
        k = _group(t, self.priors, self.stages)
        return self.prior if k == 0 else self.stage_priors[k - 1]

    def schedule(self, sigma: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-stage ``(alpha, beta)``, each (N, stages), for noise levels ``sigma`` (N,) on the [0, 1] scale."""
        floor = torch.clamp(sigma, min=1.0 / 255.0)
        t = torch.linspace(0.0, 1.0, self.stages, device=sigma.device)
        start = torch.clamp(torch.full_like(floor, self.sigma_start / 255.0), min=floor)
        base_beta = torch.exp(torch.log(start)[:, None] * (1 - t) + torch.log(floor)[:, None] * t)
        base_alpha = self.lam * floor[:, None] ** 2 / base_beta**2
        corr = self.hyper(sigma[:, None] * 10.0)
        alpha = base_alpha * torch.exp(corr[:, : self.stages])
        beta = base_beta * torch.exp(corr[:, self.stages :])
        return alpha, beta

    def forward(self, y: torch.Tensor, otf: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        """Restore a batch.

        Parameters
        ----------
        y : torch.Tensor
            (N, C, h, w) low-resolution observations, C = ``self.channels``.
        otf : torch.Tensor
            (N, 1, s h, s w) complex transfer functions (:func:`transfer_function`), one per image (shared
            by its channels).
        sigma : torch.Tensor
            (N,) noise level of each image on the [0, 1] scale.

        Returns
        -------
        torch.Tensor
            (N, C, s h, s w) estimates; ``s h`` and ``s w`` must be multiples of ``self.unshuffle``.
        """
        n = y.shape[0]
        x = torch.nn.functional.interpolate(y.float(), scale_factor=self.scale, mode="bicubic", align_corners=False)
        alpha, beta = self.schedule(sigma)
        record = self.iterates is not None
        if record:
            self.iterates, self.data_iterates = [], []
        u = self.prior.unshuffle
        terms = fold_terms(y, otf, self.scale)
        for t in range(self.stages):
            x = data_step(x, y, otf, alpha[:, t].view(n, 1, 1, 1), self.scale, terms=terms)
            if record:
                self.data_iterates.append(x.detach().float())
            level = beta[:, t].view(n, 1, 1, 1).expand(n, 1, x.shape[-2] // u, x.shape[-1] // u)
            x = self.prior_of(t)(x, level.to(x.dtype))
            if record:
                self.iterates.append(x.detach().float())
        return x

    def load_prior(self, state: dict[str, torch.Tensor]) -> None:
        """Start every prior from a trained :class:`AttentionDenoiser` ``state_dict``."""
        for p in (self.prior, *self.stage_priors):
            p.load_state_dict(state)

    def untie(self, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """A ``state_dict`` with fewer priors made to fit this model: each group starts as the prior it refines.

        ``state`` may share one prior or have its own groups; every group of this model must lie inside
        one group of ``state`` (always true from a shared prior; 3 -> 4 or 5 of 5 stages, but not 3 -> 2).
        The result computes exactly what ``state`` computed; training then lets the groups part. A
        ``state`` that already has this model's priors is returned as it is.

        Raises
        ------
        ValueError
            If a group of this model would take stages from two of ``state``'s priors.
        """
        old = 1 + len({k.split(".")[1] for k in state if k.startswith("stage_priors.")})
        if old == self.priors:
            return dict(state)
        source: dict[int, int] = {}  # this model's group -> the group of ``state`` it starts from
        for t in range(self.stages):
            k, was = _group(t, self.priors, self.stages), _group(t, old, self.stages)
            if source.setdefault(k, was) != was:
                raise ValueError(f"a model with {old} priors cannot seed {self.priors}: stage {t + 1} would "
                                 f"join a group started from another prior")

        def prefix(k: int) -> str:
            return "prior." if k == 0 else f"stage_priors.{k - 1}."

        out = {k: v for k, v in state.items() if not k.startswith(("prior.", "stage_priors."))}
        for k, was in source.items():
            out.update({prefix(k) + name[len(prefix(was)):]: v.clone()
                        for name, v in state.items() if name.startswith(prefix(was))})
        return out
