"""Values JSON cannot hold by itself, as ``json.dumps(..., default=...)``
takes them: what a dataset meta carries besides lists and strings."""
import numpy as np


def json_default(value):
    """NumPy values in a dataset meta (a palette as an array, mmpose's
    keypoint sigmas) as JSON."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f'{type(value).__name__} is not JSON serialisable')
