#!/usr/bin/python3
"""Writes the Pillow/torchvision goldens that tests/data/test_transforms_parity.cpp
and decode_test.cpp compare against. Run from anywhere with the Debian python
(torch 1.13, torchvision 0.14, Pillow 9.4):

    /usr/bin/python3 tests/data/golden/make_goldens.py

Outputs (all small, committed): input images (*.png, *.jpg), raw uint8 HWC
results (*.u8), raw float32 CHW results (*.f32), and manifest.txt, one case a
line:
    resize        INPUT OUT_W OUT_H RESULT
    eval          INPUT RESIZE CROP RESULT_U8 RESULT_F32
    resized_crop  INPUT TOP LEFT H W SIZE RESULT
    decode        INPUT RESULT MAX_ABS_DIFF
    rrc           H W TOP LEFT CH CW N d1 ... dN   (the draws get_params consumed)
"""
import math
import os

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
lines = []


def save_raw(name, array):
    array.tofile(os.path.join(HERE, name))


def make_input(name, h, w, seed):
    # Smooth gradients plus noise: exercises both the filter and the rounding.
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([
        127 + 120 * np.sin(x / 5.0 + seed),
        127 + 120 * np.cos(y / 7.0),
        (x * 255 // max(w - 1, 1) + y * 3) % 256,
    ], axis=-1) + rng.randint(-40, 40, size=(h, w, 3))
    img = np.clip(img, 0, 255).astype(np.uint8)
    Image.fromarray(img, "RGB").save(os.path.join(HERE, name))
    return Image.open(os.path.join(HERE, name)).convert("RGB")


inputs = {
    "in_a.png": make_input("in_a.png", 37, 53, 1),    # landscape, odd sizes
    "in_b.png": make_input("in_b.png", 61, 29, 2),    # portrait
    "in_c.png": make_input("in_c.png", 24, 24, 3),    # square, small
}

# Plain resizes: down, up, mixed, identity in one axis.
resize_cases = [("in_a.png", 20, 14), ("in_a.png", 100, 71), ("in_b.png", 29, 13),
                ("in_b.png", 7, 90), ("in_c.png", 100, 90), ("in_c.png", 5, 3)]
for i, (name, ow, oh) in enumerate(resize_cases):
    out = np.asarray(inputs[name].resize((ow, oh), Image.BILINEAR))
    result = f"resize_{i}.u8"
    save_raw(result, out)
    lines.append(f"resize {name} {ow} {oh} {result}")

# Eval pipeline: Resize(shorter side) -> CenterCrop -> ToTensor -> Normalize.
normalize = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
eval_cases = [("in_a.png", 32, 28), ("in_b.png", 20, 17), ("in_c.png", 30, 27),
              ("in_a.png", 16, 20)]  # last: crop larger than the resized image (padding)
for i, (name, rs, cs) in enumerate(eval_cases):
    img = F.center_crop(F.resize(inputs[name], rs, interpolation=T.InterpolationMode.BILINEAR), cs)
    u8 = np.asarray(img)
    f32 = normalize(F.to_tensor(img)).numpy().astype(np.float32)
    save_raw(f"eval_{i}.u8", u8)
    save_raw(f"eval_{i}.f32", f32)
    lines.append(f"eval {name} {rs} {cs} eval_{i}.u8 eval_{i}.f32")

# RandomResizedCrop pixel work for given boxes.
crop_cases = [("in_a.png", 3, 5, 20, 31, 16), ("in_b.png", 0, 0, 61, 29, 24),
              ("in_c.png", 10, 2, 9, 13, 40)]
for i, (name, top, left, h, w, size) in enumerate(crop_cases):
    out = np.asarray(F.resized_crop(inputs[name], top, left, h, w, [size, size],
                                    interpolation=T.InterpolationMode.BILINEAR))
    save_raw(f"rrc_{i}.u8", out)
    lines.append(f"resized_crop {name} {top} {left} {h} {w} {size} rrc_{i}.u8")


# RandomResizedCrop.get_params: record every draw it consumes, in order.
class Recorder:
    def __init__(self):
        self.draws = []
        self.real_empty = torch.empty
        self.real_randint = torch.randint

    def __enter__(self):
        recorder = self

        class Drawn:
            def __init__(self, t):
                self.t = t

            def uniform_(self, lo, hi):
                v = self.t.uniform_(lo, hi)
                recorder.draws.append(repr(float(v.item())))
                return v

        torch.empty = lambda *a, **k: Drawn(recorder.real_empty(*a, **k))

        def randint(*a, **k):
            v = recorder.real_randint(*a, **k)
            recorder.draws.append(str(int(v.item())))
            return v

        torch.randint = randint
        return self

    def __exit__(self, *exc):
        torch.empty = self.real_empty
        torch.randint = self.real_randint


torch.manual_seed(0)
sizes = [(37, 53), (500, 375), (300, 1000), (1000, 120), (28, 28), (7, 300), (224, 224)]
scales = [(0.08, 1.0)] * 6 + [(0.9, 1.0)]  # (0.9, 1) on 7x300 forces the fallback
for k in range(240):
    h, w = sizes[k % len(sizes)]
    scale = (0.9, 1.0) if (h, w) == (7, 300) else (0.08, 1.0)
    with Recorder() as rec:
        top, left, ch, cw = T.RandomResizedCrop.get_params(torch.zeros(1, h, w), scale, (3 / 4, 4 / 3))
    lines.append(f"rrc {h} {w} {scale[0]} {scale[1]} {top} {left} {ch} {cw} {len(rec.draws)} " + " ".join(rec.draws))

# Decoding: PIL's RGB result of each file; JPEG decoders (libjpeg-turbo vs
# stb) differ slightly in IDCT/upsampling, so JPEG cases carry a tolerance.
base = np.asarray(inputs["in_a.png"])
Image.fromarray(base[:, :, 0], "L").save(os.path.join(HERE, "grey.png"))
rgba = np.concatenate([base, np.full(base.shape[:2] + (1,), 77, np.uint8)], axis=-1)
Image.fromarray(rgba, "RGBA").save(os.path.join(HERE, "rgba.png"))
Image.fromarray(rgba[:, :, [0, 3]], "LA").save(os.path.join(HERE, "grey_alpha.png"))
inputs["in_a.png"].quantize(16).save(os.path.join(HERE, "palette.png"))
inputs["in_b.png"].save(os.path.join(HERE, "baseline.jpg"), quality=95)
inputs["in_b.png"].save(os.path.join(HERE, "progressive.jpg"), quality=95, progressive=True)
Image.fromarray(base[:, :, 1], "L").save(os.path.join(HERE, "grey.jpg"), quality=95)
# Adobe CMYK JPEG (as some CUB/SOP-like photo collections contain): stb 2.27
# converts it to RGB as Pillow does.
inputs["in_b.png"].convert("CMYK").save(os.path.join(HERE, "cmyk.jpg"), quality=95)
for name, tol in [("grey.png", 0), ("rgba.png", 0), ("grey_alpha.png", 0), ("palette.png", 0),
                  ("baseline.jpg", 3), ("progressive.jpg", 3), ("grey.jpg", 1),
                  ("cmyk.jpg", 3)]:
    out = np.asarray(Image.open(os.path.join(HERE, name)).convert("RGB"))
    result = "decoded_" + name.replace(".", "_") + ".u8"
    save_raw(result, out)
    lines.append(f"decode {name} {result} {tol}")

with open(os.path.join(HERE, "manifest.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} cases to {HERE}")
