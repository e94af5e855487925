"""Multi-order interaction strength, the lens of MogaNet's paper (Li et al.,
ICLR 2024, Fig. 1 and 3), as Deng et al. define it ("Discovering and
Explaining the Representation Bottleneck of DNNs", ICLR 2022).

An image is cut into a grid of ``n`` patches, the players. ``f(S)`` is the
model's output on the image in which only the patches of ``S`` are kept and
every other patch is set to the baseline (here the normalised input's zero,
i.e. the dataset's mean colour after the data preprocessor). The output is
the log-odds of the true class, ``log p / (1 - p)``, as in Deng et al.

The interaction of order ``m`` between patches ``i`` and ``j`` is the mean,
over contexts ``S`` of ``m`` other patches, of

    Δf(i, j, S) = f(S ∪ {i, j}) − f(S ∪ {i}) − f(S ∪ {j}) + f(S),

how much more ``i`` and ``j`` give together than apart, given ``S``. The
strength of order ``m`` is the mean of ``|I^(m)(i, j)|`` over images and
pairs; the relative strength ``J^(m)`` divides it by its mean over the
orders measured, so that the curves of different models share a scale.
Low orders are simple collaborations of few patches, high orders need
almost the whole image; ConvNets and ViTs put little weight on the middle
orders, which is what MogaNet was designed to change.

Sampling, with one seed: per image, ``pairs`` pairs ``(i, j)``; per pair and
order, ``contexts`` sets ``S`` drawn uniformly among the ``m``-subsets of
the other patches. Cost: ``4 x orders x pairs x contexts`` forward passes
per image (e.g. 11 orders, 16 pairs, 2 contexts: 1408 per image), batched.
"""
import csv
import os
import os.path as osp
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch

from mmmoga.errors import ConfigCheckError
from mmmoga.utils import IMAGE_SUFFIXES, tracked

from ..run.config import test_pipeline

# The orders measured by default, as fractions m / n of the patches (the
# paper's plots span 0 to 1).
DEFAULT_ORDER_RATIOS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
                        1.0)


class InteractionStrength(NamedTuple):
    """Mean ``|I^(m)|`` per order, and the relative strength ``J^(m)``."""
    orders: np.ndarray        # m, the context sizes
    order_ratios: np.ndarray  # m / n
    strength: np.ndarray      # mean |I^(m)(i, j)| over images and pairs
    relative: np.ndarray      # strength / its mean over the orders
    forwards: int             # model evaluations spent


def orders_of(num_patches: int, ratios: Sequence[float]) -> np.ndarray:
    """Context sizes ``m`` for the order ratios ``m / n``; an order needs
    ``m <= n - 2`` (two players are left out of the context)."""
    top = num_patches - 2
    return np.unique([min(top, max(0, round(r * num_patches)))
                      for r in ratios])


def sample_masks(num_patches: int, orders: np.ndarray, pairs: int,
                 contexts: int, generator: np.random.Generator
                 ) -> np.ndarray:
    """Boolean masks (patch kept) of shape ``(orders, pairs, contexts, 4,
    num_patches)``: for each sampled pair ``(i, j)`` and context ``S``, the
    sets ``S ∪ {i, j}``, ``S ∪ {i}``, ``S ∪ {j}`` and ``S``."""
    masks = np.zeros((len(orders), pairs, contexts, 4, num_patches), bool)
    for p in range(pairs):
        i, j = generator.choice(num_patches, 2, replace=False)
        others = np.array([k for k in range(num_patches) if k not in (i, j)])
        for o, order in enumerate(orders):
            for c in range(contexts):
                context = generator.choice(others, order, replace=False)
                masks[o, p, c, :, context] = True
                masks[o, p, c, 0, [i, j]] = True
                masks[o, p, c, 1, i] = True
                masks[o, p, c, 2, j] = True
    return masks


def interaction_strength(values: Callable[[np.ndarray], np.ndarray],
                         num_patches: int, num_inputs: int,
                         ratios: Sequence[float] = DEFAULT_ORDER_RATIOS,
                         pairs: int = 16, contexts: int = 2,
                         seed: int = 0,
                         progress: Optional[str] = None
                         ) -> InteractionStrength:
    """The interaction strength of ``values``, a function of input index and
    masks: ``values(index, masks)`` with masks of shape ``(k, num_patches)``
    gives ``f`` of input ``index`` on each of the ``k`` sets. With a
    ``progress`` description, a bar of that name counts the inputs."""
    generator = np.random.default_rng(seed)
    orders = orders_of(num_patches, ratios)
    totals = np.zeros(len(orders))
    forwards = 0
    indices = range(num_inputs)
    for index in (tracked(indices, progress) if progress else indices):
        masks = sample_masks(num_patches, orders, pairs, contexts, generator)
        f = np.asarray(values(index, masks.reshape(-1, num_patches)),
                       dtype=np.float64).reshape(masks.shape[:4])
        forwards += f.size
        delta = f[..., 0] - f[..., 1] - f[..., 2] + f[..., 3]
        # I^(m)(i, j): the mean over contexts; then |.| averaged over pairs.
        totals += np.abs(delta.mean(axis=2)).mean(axis=1)
    strength = totals / num_inputs
    scale = strength.mean()
    relative = strength / scale if scale > 0 else np.zeros_like(strength)
    return InteractionStrength(orders, orders / num_patches, strength,
                               relative, forwards)


def patch_masks_to_pixels(masks: torch.Tensor, grid: int, height: int,
                          width: int) -> torch.Tensor:
    """``(k, grid * grid)`` patch masks -> ``(k, 1, height, width)`` pixel
    masks; the last row and column of patches take what does not divide."""
    k = masks.shape[0]
    patch_grid = masks.reshape(k, 1, grid, grid).float()
    rows = torch.div(torch.arange(height) * grid, height,
                     rounding_mode='floor')
    cols = torch.div(torch.arange(width) * grid, width,
                     rounding_mode='floor')
    return patch_grid[:, :, rows][:, :, :, cols]


def classifier_log_odds(model, images: Sequence[torch.Tensor],
                        labels: Sequence[int], grid: int,
                        batch_size: int = 64) -> Callable:
    """``values`` for :func:`interaction_strength` from an MMPretrain
    classifier: the log-odds of ``labels[index]`` on ``images[index]``
    (normalised, ``(3, H, W)``) with the masked patches set to 0."""

    @torch.no_grad()
    def values(index: int, masks: np.ndarray) -> np.ndarray:
        image, label = images[index], labels[index]
        _, height, width = image.shape
        outputs = []
        for start in range(0, len(masks), batch_size):
            chunk = torch.from_numpy(masks[start:start + batch_size])
            pixels = patch_masks_to_pixels(chunk, grid, height, width)
            logits = model(image[None] * pixels, mode='tensor')
            log_p = torch.log_softmax(logits.double(), dim=1)[:, label]
            # log p - log(1 - p), stable for p near 0 or 1.
            outputs.append(log_p - torch.log(-torch.expm1(log_p)))
        return torch.cat(outputs).clamp(-50, 50).numpy()

    return values


class LabelledImages(NamedTuple):
    images: List[torch.Tensor]  # normalised (3, H, W), as the model sees them
    labels: List[int]
    paths: List[str]


def labelled_images(cfg, model, data_dir: str, num_images: int,
                    seed: int) -> LabelledImages:
    """``num_images`` images of ``data_dir`` (MMPretrain's CustomDataset
    layout: one folder per class), drawn with ``seed``, through the config's
    test pipeline and the model's data preprocessor. A folder's class index
    is its place in the model's ``dataset_meta['classes']`` (from the
    checkpoint) or else among the sorted folder names, as CustomDataset
    orders them."""
    if not osp.isdir(data_dir):
        raise ConfigCheckError(f'--data {data_dir} is not a folder')
    folders = sorted(entry.name for entry in os.scandir(data_dir)
                     if entry.is_dir())
    classes = list(getattr(model, 'dataset_meta', {}).get('classes')
                   or folders)
    unknown = [folder for folder in folders if folder not in classes]
    if not folders or unknown:
        raise ConfigCheckError(
            f'--data {data_dir}: expected one folder per class of the model '
            f'({", ".join(classes[:5])}...), found '
            f'{", ".join(unknown or ["no folders"])}')
    found = [(osp.join(data_dir, folder, name), classes.index(folder))
             for folder in folders
             for name in sorted(os.listdir(osp.join(data_dir, folder)))
             if name.lower().endswith(IMAGE_SUFFIXES)]
    if len(found) < num_images:
        raise ConfigCheckError(f'--data {data_dir} has {len(found)} images; '
                               f'--num-images asks for {num_images}')
    picked = np.random.default_rng(seed).choice(len(found), num_images,
                                                replace=False)
    pipeline = test_pipeline(cfg)
    images, labels, paths = [], [], []
    for index in sorted(picked):
        path, label = found[index]
        packed = pipeline(dict(img_path=path))
        with torch.no_grad():
            batch = model.data_preprocessor(
                dict(inputs=[packed['inputs']], data_samples=None))
        images.append(batch['inputs'][0])
        labels.append(label)
        paths.append(path)
    return LabelledImages(images, labels, paths)


CSV_COLUMNS = ('model', 'order', 'order_ratio', 'strength', 'relative',
               'images', 'grid', 'pairs', 'contexts', 'seed')


def write_csv_rows(path: str, name: str, result: InteractionStrength,
                   settings: Dict) -> List[Dict]:
    """Adds ``name``'s rows to the CSV at ``path`` (replacing earlier rows
    of that name, keeping other models'), and returns every row."""
    rows = []
    if osp.isfile(path):
        with open(path, newline='') as file:
            rows = [row for row in csv.DictReader(file)
                    if row['model'] != name]
    for order, ratio, strength, relative in zip(
            result.orders, result.order_ratios, result.strength,
            result.relative):
        rows.append(dict(model=name, order=int(order),
                         order_ratio=f'{ratio:.4f}',
                         strength=f'{strength:.6g}',
                         relative=f'{relative:.6g}', **settings))
    with open(path, 'w', newline='') as file:
        writer = csv.DictWriter(file, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def plot_relative_strength(rows: Sequence[Dict], path: str,
                           title: Optional[str] = None):
    """``J^(m)`` against ``m / n``, one curve per model of ``rows``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    figure, axis = plt.subplots(figsize=(6, 4))
    for name in dict.fromkeys(row['model'] for row in rows):
        curve = [(float(r['order_ratio']), float(r['relative']))
                 for r in rows if r['model'] == name]
        axis.plot(*zip(*curve), marker='o', label=name)
    axis.set_xlabel('order m / n')
    axis.set_ylabel('relative interaction strength J(m)')
    axis.set_title(title or 'multi-order interaction strength')
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
