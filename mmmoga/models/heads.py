"""What the package needs to know of the task libraries' heads."""
import inspect

from torch import nn


def head_takes_data_samples(head: nn.Module) -> bool:
    """Whether ``head``'s forward needs the batch's data samples beside the
    features, as the Mask2Former heads of mmdet and mmseg do: mmseg's
    ``mode='tensor'`` calls decode heads with the features only, so the FLOP
    count and the ONNX export cannot go through it for them."""
    return 'batch_data_samples' in inspect.signature(head.forward).parameters
