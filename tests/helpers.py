"""Helpers shared by the tests (fixtures live in conftest.py)."""
import os.path as osp

DATA_DIR = osp.join(osp.dirname(__file__), 'data')
GOLDEN_PATH = osp.join(DATA_DIR, 'moganet_reference.pt')

# A 4-stage arch small enough for fast CPU tests: dims divisible by 8 (the
# default channel split) and two blocks per stage.
SMALL_ARCH = dict(embed_dims=[16, 32, 48, 64], depths=[2, 2, 2, 2],
                  ffn_ratios=[4, 4, 4, 4])


def backbone_state_dict(official_state_dict):
    """The official classifier's state dict without its linear ``head``."""
    return {k: v for k, v in official_state_dict.items()
            if not k.startswith('head.')}
