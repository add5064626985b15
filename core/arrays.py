"""Small numpy helpers the set-based hot paths share (billing chunks, the proactive scan)."""

from __future__ import annotations

import numpy as np


def last_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions of the last row of each key in rows sorted by key."""
    return np.flatnonzero(np.append(keys[1:] != keys[:-1], True)) if len(keys) else keys
