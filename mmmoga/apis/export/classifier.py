"""The classifier's graph: an MMPretrain classifier as ``image -> logits``."""
import torch
from torch import nn


class ClassifierLogits(nn.Module):
    """An MMPretrain classifier as ``image -> logits``."""

    output_names = ('logits', )

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model(image, mode='tensor')


def classifier_logits(cfg, model: nn.Module) -> ClassifierLogits:
    """The graph of an MMPretrain classifier (``cfg`` is not needed: every
    classifier exports as its logits)."""
    return ClassifierLogits(model)
