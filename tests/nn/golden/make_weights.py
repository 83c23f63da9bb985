#!/usr/bin/python3
"""Writes the golden weight files read by tests/nn/test_*.cpp.

Run from anywhere with Debian's python3-torch (1.13) and torchvision:
    /usr/bin/python3 tests/nn/golden/make_weights.py
Outputs (all small, committed) go next to this script:
  tiny_resnet_zip.pth / tiny_resnet_legacy.pth / tiny_resnet_old_style.pth (legacy container,
                                                  tensors by _rebuild_tensor as torch <= 0.3 wrote)
                                                  state dict of a tiny model with
                                                  torchvision ResNet names (BasicBlock,
                                                  downsample, bn running stats, num_batches_tracked)
  views_zip.pth / views_legacy.pth / views_deflated.pth / views_protocol4.pth
                                                  views (transposed, sliced, strided, expanded,
                                                  shared storage), every storage dtype, a Parameter;
                                                  deflated members; pickle protocol 4
  checkpoint_zip.pth                              {'model_state_dict': DataParallel-style 'module.'
                                                  keys, 'epoch', optimizer state, assorted values}
  unsupported_global.pth                          a dict holding a Python set (builtins.set)
  no_data_pkl.pth                                 a zip without <archive>/data.pkl
  dtypes.safetensors                              written by hand (struct + json): F16, BF16, F64,
                                                  I64, F32, I32, I16, I8, U8, BOOL, unaligned offsets
  expected.json                                   file -> name -> {shape, dtype, values}
The tests never run Python.
"""
import collections
import json
import math
import os
import pickle
import struct
import types
import zipfile

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, conv1x1

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


class TinyResNet(nn.Module):
    """torchvision ResNet's attribute names at a tiny width."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.layer1 = nn.Sequential(BasicBlock(4, 4))
        downsample = nn.Sequential(conv1x1(4, 8, 2), nn.BatchNorm2d(8))
        self.layer2 = nn.Sequential(BasicBlock(4, 8, stride=2, downsample=downsample))
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.layer2(self.layer1(torch.relu(self.bn1(self.conv1(x)))))
        return self.fc(x.mean(dim=(2, 3)))


def expected_entry(t):
    t = t.detach()
    if t.dtype.is_floating_point:
        # JSON has no inf/nan: those are written as strings
        values = [v if math.isfinite(v) else str(v) for v in t.float().flatten().tolist()]
        return {"shape": list(t.shape), "dtype": "float32", "values": values}
    return {"shape": list(t.shape), "dtype": "int64", "values": [int(v) for v in t.long().flatten().tolist()]}


def expected_dict(d):
    return {k: expected_entry(v) for k, v in d.items()}


def tiny_resnet_state():
    model = TinyResNet()
    model.train()
    for _ in range(3):  # move running stats and num_batches_tracked away from their init
        model(torch.randn(2, 3, 8, 8))
    return model, model.state_dict()


def views():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) * 0.5 - 1.0
    entries = collections.OrderedDict([
        ("base", base),
        ("transposed", base.t()),           # same storage, strides (1, 4)
        ("row_slice", base[1:]),            # storage offset 4
        ("column_step", base[:, 1::2]),     # offset 1, strides (4, 2)
        ("expanded", torch.tensor([1.0, 2.0, 3.0]).expand(4, 3)),  # stride 0
        ("scalar", torch.tensor(3.25)),
        ("empty", torch.zeros(0, 3)),
        ("parameter", nn.Parameter(torch.randn(2, 2))),
        ("half", torch.tensor([1.5, -2.0, 65504.0, 6.1e-5, 1e-7, float("inf")], dtype=torch.float16)),
        ("bfloat16", torch.tensor([1.0, -3.140625, 1e30, 1e-30], dtype=torch.bfloat16)),
        ("double", torch.tensor([[1.0 / 3.0, -2.5e-8], [1e10, 0.1]], dtype=torch.float64)),
        ("int64", torch.tensor([-(2 ** 40), 0, 7], dtype=torch.int64)),
        ("int32", torch.tensor([-5, 2 ** 31 - 1], dtype=torch.int32)),
        ("int16", torch.tensor([-300, 300], dtype=torch.int16)),
        ("int8", torch.tensor([-128, 127], dtype=torch.int8)),
        ("uint8", torch.tensor([0, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
    ])
    return entries


class OldStylePickler(pickle.Pickler):
    """Pickles tensors as torch <= 0.3 did (torchvision's 2017 ImageNet files):
    torch._utils._rebuild_tensor(storage, offset, size, stride)."""

    def reducer_override(self, obj):
        if type(obj) is torch.Tensor:
            return (torch._utils._rebuild_tensor,
                    (obj.storage(), obj.storage_offset(), tuple(obj.size()), obj.stride()))
        return NotImplemented


def save_old_style(obj, path):
    module = types.ModuleType("old_style_pickle")
    module.Pickler = OldStylePickler
    module.dump = pickle.dump
    torch.save(obj, path, pickle_module=module, _use_new_zipfile_serialization=False)


def write_safetensors(path):
    """The format by hand: u64 header length, JSON header, data section."""
    tensors = [  # a 3-byte U8 first, so the float tensors after it start unaligned
        ("u8", "U8", torch.tensor([1, 2, 250], dtype=torch.uint8)),
        ("f32", "F32", torch.tensor([[1.5, -2.25], [3.0, 1e-3]], dtype=torch.float32)),
        ("f16", "F16", torch.tensor([0.5, -65504.0, 1e-7], dtype=torch.float16)),
        ("bf16", "BF16", torch.tensor([2.0, -1.5e20], dtype=torch.bfloat16)),
        ("f64", "F64", torch.tensor([1.0 / 3.0, -1e-40], dtype=torch.float64)),
        ("i64", "I64", torch.tensor([[2 ** 50, -1, 3]], dtype=torch.int64)),
        ("i32", "I32", torch.tensor([-7], dtype=torch.int32)),
        ("i16", "I16", torch.tensor([-2, 1000], dtype=torch.int16)),
        ("i8", "I8", torch.tensor([-1], dtype=torch.int8)),
        ("flags", "BOOL", torch.tensor([False, True], dtype=torch.bool)),
        ("scalar", "F32", torch.tensor(7.0)),
    ]
    header = {"__metadata__": {"format": "pt", "source": "make_weights.py"}}
    data = b""
    for name, dtype, t in tensors:
        raw = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dim() else t.reshape(1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    return {name: expected_entry(t) for name, _, t in tensors}


def main():
    out = lambda name: os.path.join(HERE, name)
    expected = {}

    model, state = tiny_resnet_state()
    torch.save(state, out("tiny_resnet_zip.pth"))
    torch.save(state, out("tiny_resnet_legacy.pth"), _use_new_zipfile_serialization=False)
    expected["tiny_resnet_zip.pth"] = expected_dict(state)
    expected["tiny_resnet_legacy.pth"] = expected_dict(state)
    save_old_style(state, out("tiny_resnet_old_style.pth"))
    expected["tiny_resnet_old_style.pth"] = expected_dict(state)

    v = views()
    torch.save(v, out("views_zip.pth"))
    torch.save(v, out("views_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(v, out("views_protocol4.pth"), pickle_protocol=4)  # FRAME, MEMOIZE, STACK_GLOBAL
    with zipfile.ZipFile(out("views_zip.pth")) as src, \
            zipfile.ZipFile(out("views_deflated.pth"), "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
    for name in ("views_zip.pth", "views_legacy.pth", "views_deflated.pth", "views_protocol4.pth"):
        expected[name] = expected_dict(v)

    wrapped = nn.DataParallel(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    model(torch.randn(2, 3, 8, 8)).sum().backward()
    optimizer.step()
    checkpoint = {
        "model_state_dict": wrapped.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "epoch": 3,
        "recalls": [0.5, 0.625, None, True, (1, "two")],
        "big": 2 ** 70,
        "negative": -(2 ** 33),
    }
    torch.save(checkpoint, out("checkpoint_zip.pth"))
    expected["checkpoint_zip.pth"] = expected_dict(wrapped.state_dict())

    torch.save({"w": torch.ones(2), "tags": {"a", "b"}}, out("unsupported_global.pth"))
    with zipfile.ZipFile(out("no_data_pkl.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data/0", b"\0" * 16)
        z.writestr("archive/version", b"3\n")

    expected["dtypes.safetensors"] = write_safetensors(out("dtypes.safetensors"))
    with open(out("expected.json"), "w") as f:
        json.dump(expected, f, sort_keys=True, separators=(",", ":"))


if __name__ == "__main__":
    main()
