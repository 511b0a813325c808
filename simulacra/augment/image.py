"""Image augmentation on numpy batches (N, H, W) or (N, H, W, C), uint8 or float.

Transforms (each applied to an image with its probability ``p``): rotation, width/height shift,
zoom, shear, horizontal/vertical flip, brightness, Gaussian noise, random crop and pad. They are
composed by :class:`ImageAugmenter` (in the spirit of Keras' ``ImageDataGenerator`` and
albumentations): all geometric transforms of an image are combined into one affine map, and a
batch is warped with ``scipy.ndimage.affine_transform`` image by image (flips, brightness and
noise are whole-batch array operations). ``flow(X, y, batch_size)`` yields augmented batches.
"""

from __future__ import annotations

import numpy as np

from .._random import as_generator
from ..errors import InvalidDataError, ParameterError
from ..utils.validation import check_bool, check_int, check_number


class ImageAugmenter:
    """Random image transforms, reproducible by seed.

    Parameters (Keras' names where they exist)
    ----------
    rotation_range : float, degrees
    width_shift_range, height_shift_range : float, fraction of the size
    zoom_range : float or (low, high)
    shear_range : float, degrees
    horizontal_flip, vertical_flip : bool
    brightness_range : (low, high) factors, optional
    noise_std : float, standard deviation of Gaussian noise (in the images' units)
    crop_pad : int, pixels of random crop-and-pad (translation with zero fill)
    p : float, probability that each transform is applied to an image
    fill_mode : 'constant', 'nearest', 'reflect' or 'wrap'
    """

    def __init__(
        self,
        rotation_range=0.0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        zoom_range=0.0,
        shear_range=0.0,
        horizontal_flip=False,
        vertical_flip=False,
        brightness_range=None,
        noise_std=0.0,
        crop_pad=0,
        p=1.0,
        fill_mode="nearest",
        cval=0.0,
        seed=None,
    ):
        p = check_number("p", p, minimum=0, maximum=1)
        if fill_mode not in ("constant", "nearest", "reflect", "wrap"):
            raise ParameterError("fill_mode must be 'constant', 'nearest', 'reflect' or 'wrap'")
        self.rotation_range = check_number("rotation_range", rotation_range, minimum=0)
        self.shear_range = check_number("shear_range", shear_range, minimum=0)
        self.width_shift_range = check_number("width_shift_range", width_shift_range, minimum=0)
        self.height_shift_range = check_number("height_shift_range", height_shift_range, minimum=0)
        self.zoom_range = (1 - zoom_range, 1 + zoom_range) if np.isscalar(zoom_range) else tuple(zoom_range)
        # bool("False") is True: flips must be real booleans
        self.horizontal_flip = check_bool("horizontal_flip", horizontal_flip)
        self.vertical_flip = check_bool("vertical_flip", vertical_flip)
        self.brightness_range = brightness_range
        self.noise_std = check_number("noise_std", noise_std, minimum=0)
        self.crop_pad, self.p = check_int("crop_pad", crop_pad, minimum=0), p
        self.fill_mode, self.cval = fill_mode, cval
        self.rng = as_generator(seed)

    def _check(self, X):
        X = np.asarray(X)
        if X.ndim not in (3, 4):
            raise InvalidDataError(f"images must be a batch (N, H, W) or (N, H, W, C), got shape {X.shape}")
        if X.dtype.kind not in "uif":
            raise InvalidDataError(f"images must be numbers, got dtype {X.dtype}")
        return X

    def augment(self, X, seed=None) -> np.ndarray:
        """A transformed copy of the batch ``X`` (same shape and dtype, values in the input's range)."""
        from scipy import ndimage

        X = self._check(X)
        rng = self.rng if seed is None else as_generator(seed)
        n, h, w = X.shape[:3]
        lo, hi = float(X.min()), float(X.max())  # values stay in the batch's own range
        work = X.astype(np.float64)
        use = lambda: rng.random(n) < self.p  # noqa: E731
        # geometric: one affine map per image (output pixel -> input pixel)
        ang = np.deg2rad(rng.uniform(-self.rotation_range, self.rotation_range, n)) * use()
        shear = np.deg2rad(rng.uniform(-self.shear_range, self.shear_range, n)) * use()
        zx = np.where(use(), rng.uniform(*self.zoom_range, n), 1.0)
        zy = np.where(use(), rng.uniform(*self.zoom_range, n), 1.0)
        tx = rng.uniform(-self.height_shift_range, self.height_shift_range, n) * h * use()
        ty = rng.uniform(-self.width_shift_range, self.width_shift_range, n) * w * use()
        if self.crop_pad:
            tx = tx + rng.integers(-self.crop_pad, self.crop_pad + 1, n) * use()
            ty = ty + rng.integers(-self.crop_pad, self.crop_pad + 1, n) * use()
        geometric = (ang != 0) | (shear != 0) | (zx != 1) | (zy != 1) | (tx != 0) | (ty != 0)
        center = np.array([(h - 1) / 2, (w - 1) / 2])
        for i in np.flatnonzero(geometric):
            c, s = np.cos(ang[i]), np.sin(ang[i])
            rot = np.array([[c, -s], [s, c]])
            sh = np.array([[1, -np.sin(shear[i])], [0, np.cos(shear[i])]])
            mat = rot @ sh @ np.diag([1 / zx[i], 1 / zy[i]])
            offset = center - mat @ center - np.array([tx[i], ty[i]])
            mode = "constant" if self.crop_pad and self.fill_mode == "nearest" else self.fill_mode
            if X.ndim == 3:
                work[i] = ndimage.affine_transform(work[i], mat, offset=offset, order=1, mode=mode, cval=self.cval)
            else:
                for ch in range(X.shape[3]):
                    work[i, ..., ch] = ndimage.affine_transform(
                        work[i, ..., ch], mat, offset=offset, order=1, mode=mode, cval=self.cval
                    )
        if self.horizontal_flip:
            m = (rng.random(n) < 0.5) & use()
            work[m] = work[m][:, :, ::-1]
        if self.vertical_flip:
            m = (rng.random(n) < 0.5) & use()
            work[m] = work[m][:, ::-1]
        if self.brightness_range is not None:
            f = np.where(use(), rng.uniform(*self.brightness_range, n), 1.0)
            work *= f.reshape((n,) + (1,) * (X.ndim - 1))
        if self.noise_std > 0:
            m = use().reshape((n,) + (1,) * (X.ndim - 1))
            work += rng.normal(0, self.noise_std, work.shape) * m
        work = np.clip(work, lo, hi)
        if X.dtype.kind in "ui":
            work = np.round(work)
        return work.astype(X.dtype)

    def flow(self, X, y=None, batch_size: int = 32, shuffle: bool = True, seed=None):
        """Endless generator of augmented batches ``(X_batch, y_batch)`` (or ``X_batch`` without y)."""
        X = self._check(X)
        rng = as_generator(seed) if seed is not None else self.rng
        n = len(X)
        while True:
            order = rng.permutation(n) if shuffle else np.arange(n)
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                xb = self.augment(X[idx], seed=rng)
                yield (xb, np.asarray(y)[idx]) if y is not None else xb
