"""The multi-order interaction strength (mmmoga.apis.analysis.interaction) on
functions whose answer is known, with tiny patch grids."""
import numpy as np
import pytest
import torch

from mmmoga.apis.analysis.interaction import (
    interaction_strength,
    orders_of,
    patch_masks_to_pixels,
    sample_masks,
)

N = 9  # a 3x3 grid of patches


def measure(values, seed=0, **options):
    return interaction_strength(lambda index, masks: values(masks), N,
                                num_inputs=2, seed=seed, **options)


def test_an_additive_function_has_no_interaction():
    weights = np.random.default_rng(1).normal(size=N)
    result = measure(lambda masks: masks @ weights)
    assert np.allclose(result.strength, 0, atol=1e-12)


def test_a_product_of_two_patches_interacts_alike_at_every_order():
    # With 36 pairs among 9 patches, 40 draws include the pair (0, 1).
    result = measure(lambda masks: 3.0 * masks[:, 0] * masks[:, 1],
                     pairs=40)
    assert result.strength[0] > 0
    assert np.allclose(result.strength, result.strength[0])
    assert np.allclose(result.relative, 1)


def test_an_and_of_all_patches_interacts_only_at_the_highest_order():
    result = measure(lambda masks: masks.all(axis=1).astype(float))
    assert result.orders[-1] == N - 2
    assert result.strength[-1] > 0
    assert np.all(result.strength[:-1] == 0)
    assert result.relative[-1] == pytest.approx(len(result.orders))


def test_the_seed_fixes_the_numbers():
    weights = np.random.default_rng(2).normal(size=(N, N))

    def quadratic(masks):
        kept = masks.astype(float)
        return np.einsum('ki,ij,kj->k', kept, weights, kept) + np.tanh(
            kept.sum(1))

    first, again = measure(quadratic, seed=5), measure(quadratic, seed=5)
    other = measure(quadratic, seed=6)
    assert np.array_equal(first.strength, again.strength)
    assert not np.array_equal(first.strength, other.strength)


def test_each_sample_is_a_context_with_and_without_the_pair():
    orders = orders_of(N, (0.0, 0.5, 1.0))
    assert orders.tolist() == [0, 4, 7]  # round(0.5 * 9) = 4; at most n - 2
    masks = sample_masks(N, orders, pairs=3, contexts=2,
                         generator=np.random.default_rng(0))
    with_pair, with_i, with_j, context = np.moveaxis(masks, 3, 0)
    assert np.array_equal(context.sum(-1),
                          np.broadcast_to(orders[:, None, None], (3, 3, 2)))
    assert np.all(with_pair.sum(-1) == context.sum(-1) + 2)
    assert np.all(with_i.sum(-1) == context.sum(-1) + 1)
    assert np.all(with_j.sum(-1) == context.sum(-1) + 1)
    assert np.all(with_pair >= with_i) and np.all(with_pair >= with_j)
    assert not np.any(with_i & with_j & ~context)


def test_patch_masks_cover_the_image():
    masks = torch.zeros(1, 4, dtype=torch.bool)
    masks[0, 1] = True  # the top right patch of a 2x2 grid
    pixels = patch_masks_to_pixels(masks, 2, 5, 6)
    assert pixels.shape == (1, 1, 5, 6)
    assert pixels[0, 0, :3, 3:].all() and pixels.sum() == 3 * 3
