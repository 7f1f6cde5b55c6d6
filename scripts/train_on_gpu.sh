#!/usr/bin/env bash
# Continue cnn_combined's training on a lent GPU machine, in one call of a few minutes.
#
# The machine has no datasets and its own Python (PyTorch with CUDA, NumPy, SciPy, Pillow; no PyWavelets,
# Streamlit or Dask, which training does not import: tests/test_deep.py checks that). So, here first:
#
#   python -m restoration pack-crops ../shared/datasets/CBSD432 artifacts/gpu/combined.npz --count 1400 \
#       --size 128 --val-split 32 --gray-data ../shared/datasets/Train400 --gray-count 300 --pages --val-crop 192
#
# (artifacts/ is ignored by git. The repository, 23 MiB, and the pack travel together and may not pass 64 MiB.
# The pack stores its images as lossless WebP and the held-out photographs as the centre 192x192 crops this
# script validates on. Measured 2026-12-06: 36.8 MiB, read back in 1.6 s; the earlier pack, raw pixels and
# whole held-out photographs, held 400 crops and 100 gray ones in 37.0 MiB. The machine's Pillow must read
# WebP; pack with `--codec raw` otherwise, and about half the crops.) Then, on the machine, with artifacts/gpu
# carried:
#
#   bash scripts/train_on_gpu.sh MINUTES SEED [BATCH] [LR]
#
# It continues the shipped weights on the pack for MINUTES of training (the schedule ends with them), chosen
# on the pack's held-out images, and writes cnn_combined.pt, manifest.json and log to $OUT. Back here, ship
# them only after scripts/bench_deep.py shows they are better on Kodak24 and the gallery (see README).
set -euo pipefail
minutes=${1:?minutes of training}
seed=${2:?seed}
batch=${3:-64}
lr=${4:-1e-4}
out=${OUT:?set OUT to the folder whose files come back}
pack=artifacts/gpu/combined.npz
[ -f "$pack" ] || { echo "error: $pack is missing (make it with pack-crops, above, and carry artifacts/gpu)" >&2; exit 2; }
# --init reads the weights it continues from the output folder's manifest
cp assets/weights/manifest.json assets/weights/cnn_combined.pt "$out"/
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >"$out/gpu.txt" 2>&1 || true
PYTHONUNBUFFERED=1 python3 -m restoration train --task combined --data "$pack" --val-crop 192 --out cnn_combined \
    --channels 3 --prior colour --priors 5 --init cnn_combined --stages 5 --pad 6 --steps 1000000 \
    --time-budget "$minutes" --batch "$batch" --patch 96 --lr "$lr" --warmup 300 --sigma-max 25 --blur-max 15 \
    --val-every 500 --seed "$seed" --gray-share 0.15 --pages 0.2 --store float16 --loss l2 --ema 0.999 \
    --out-dir "$out" --checkpoint-dir /tmp/ckpt 2>&1 | tr '\r' '\n' | grep -av '^train cnn_combined' >"$out/log"
tail -n 5 "$out/log"
