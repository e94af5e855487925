"""Smoke demo: builds MogaNet-S through MMDetection's registry and runs it once."""
import torch
from mmdet.registry import MODELS

import mmmoga  # noqa: F401  (registers MogaNet)


def main():
    backbone = MODELS.build(dict(type='MogaNet', arch='small')).eval()
    params = sum(p.numel() for p in backbone.parameters()) / 1e6
    with torch.no_grad():
        outs = backbone(torch.randn(1, 3, 224, 224))
    print(f'MogaNet-S: {params:.2f}M backbone parameters')
    for i, out in enumerate(outs):
        print(f'  stage {i}: {tuple(out.shape)}')


if __name__ == '__main__':
    main()
