from .layer_norm_2d import LayerNorm2d

__all__ = ['LayerNorm2d']
