#!/usr/bin/python3
"""Goldens for tests/models: torchvision ResNet-18/50 and the IDML net (docs/METHOD.md#2-model)
filled by a deterministic formula that tests/models/deterministic_fill.h
computes identically, so no weight file is committed.

Run: /usr/bin/python3 tests/models/golden/make_models.py   (torch 1.13, torchvision 0.14, CPU)
Writes: models.json (outputs, running stats, a few gradients) and
resnet50_state_dict_names.txt (torchvision's state_dict() key order).
"""
import json
import os

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
BN_WEIGHT = 0.5  # BN gamma around 0.5 keeps eval-mode activations O(1) through 50 layers
# With 0.4 x gamma on the bottlenecks' bn3, train-mode gradients of ResNet-50 are
# well conditioned (torch float32 vs float64: < 5e-5 relative), so a 1e-4
# tolerance tests our arithmetic rather than the amplification of rounding.
BN3_FACTOR = 0.4


def hash_values(n, k):
    """v[i] = splitmix64(i + (k << 32)) / 2^64 - 0.5 (top 53 bits), exact uint64 arithmetic."""
    with np.errstate(over="ignore"):
        z = np.arange(n, dtype=np.uint64) + np.uint64(k << 32) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53) - 0.5


def fill(model):
    """Tensor k of state_dict() order gets hash_values(numel, k) scaled by its role."""
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                t.zero_()
                continue
            v = hash_values(t.numel(), k)
            if t.dim() >= 2:  # conv / linear weight: He scale on fan_in
                fan_in = t[0].numel()
                v = v * np.sqrt(12.0) * np.sqrt(2.0 / fan_in)
            elif name.endswith("running_var"):
                v = 1.0 + 0.5 * (v + 0.5)
            elif name.endswith("running_mean") or name.endswith("bias"):
                v = 0.2 * v
            elif name.endswith("weight"):  # BN gamma
                v = BN_WEIGHT + 0.2 * v
                if name.endswith("bn3.weight"):  # last BN of a bottleneck: smaller residual branches
                    v = v * BN3_FACTOR
            t.copy_(torch.from_numpy(v.astype(np.float32)).reshape(t.shape))


def input_batch(shape, k):
    return torch.from_numpy((hash_values(int(np.prod(shape)), k) * np.sqrt(12.0)).astype(np.float32)).reshape(shape)


def as_list(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


GRAD_SLICE = 64  # first elements of large gradients


def grads_of(model, names):
    params = dict(model.named_parameters())
    out = {}
    for name in names:
        g = params[name].grad.reshape(-1)
        out[name] = {"head": as_list(g[:GRAD_SLICE]), "sum_sq": float((g.double() ** 2).sum())}
    return out


def logits_summary(y):
    """First LOGITS_HEAD logits of every row, every row's sum of squares."""
    return {"head": as_list(y[:, :LOGITS_HEAD]), "row_sum_sq": as_list((y ** 2).sum(1))}


LOGITS_HEAD = 64


def resnet_case(arch, batch, image):
    """Computed in float64: the goldens are the exact answer for the float32 code under test."""
    model = getattr(torchvision.models, arch)()
    fill(model)
    model = model.double()
    x = input_batch((batch, 3, image, image), 1000).double()
    case = {"arch": arch, "input_shape": list(x.shape)}
    model.eval()
    with torch.no_grad():
        case["eval_logits"] = logits_summary(model(x))
    model.train()
    logits = model(x)
    case["train_logits"] = logits_summary(logits)
    last_bn = "layer4.1.bn2" if arch == "resnet18" else "layer4.2.bn3"
    sd = model.state_dict()
    case["running"] = {n: as_list(sd[n][:32]) for n in
                       ["bn1.running_mean", "bn1.running_var", last_bn + ".running_mean", last_bn + ".running_var"]}
    case["num_batches_tracked"] = int(sd["bn1.num_batches_tracked"])
    c = input_batch(tuple(logits.shape), 2000).double()
    loss = (logits * c).sum()
    case["loss"] = float(loss)
    loss.backward()
    names = ["conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer3.0.downsample.0.weight",
             last_bn + ".weight", "fc.weight", "fc.bias"]
    case["grads"] = grads_of(model, names)
    return case


class IDMLNet(torch.nn.Module):
    """The reference wrapper: heads attached to the torchvision model, GAP + GMP."""

    def __init__(self, arch, embedding_size):
        super().__init__()
        self.model = getattr(torchvision.models, arch)()
        features = self.model.fc.in_features
        self.model.gap = torch.nn.AdaptiveAvgPool2d(1)
        self.model.gmp = torch.nn.AdaptiveMaxPool2d(1)
        self.model.embedding = torch.nn.Linear(features, embedding_size)
        self.model.uncertainty = torch.nn.Linear(features, embedding_size)

    def forward(self, x):
        m = self.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
        f = (m.gap(x) + m.gmp(x)).flatten(1)
        s, u = m.embedding(f), m.uncertainty(f)
        l2 = lambda t: t / torch.sqrt((t ** 2).sum(1, keepdim=True) + 1e-12)
        return l2(s), l2(u)


def idml_case():
    net = IDMLNet("resnet18", 16)
    fill(net)
    # bn_freeze: BN in inference mode, affine frozen
    net.train()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()
            m.weight.requires_grad_(False)
            m.bias.requires_grad_(False)
    x = input_batch((2, 3, 64, 64), 1000)
    s, u = net(x)
    (s * input_batch(tuple(s.shape), 3000)).sum().backward()
    case = {"arch": "resnet18", "embedding_size": 16, "input_shape": list(x.shape),
            "semantic": as_list(s), "uncertainty": as_list(u),
            "state_dict_names": list(net.state_dict().keys())}
    case["grads"] = grads_of(net, ["model.embedding.weight", "model.embedding.bias", "model.layer4.1.conv2.weight",
                                   "model.conv1.weight"])
    return case


def main():
    torch.set_num_threads(2)
    out = {"resnet18": resnet_case("resnet18", 8, 32), "resnet50": resnet_case("resnet50", 8, 32), "idml": idml_case()}
    with open(os.path.join(HERE, "models.json"), "w") as f:
        json.dump(out, f)
    with open(os.path.join(HERE, "resnet50_state_dict_names.txt"), "w") as f:
        for name in torchvision.models.resnet50().state_dict().keys():
            f.write(name + "\n")
    for arch in ["resnet18", "resnet50"]:
        c = out[arch]
        print(arch, "eval |logits| max", max(map(abs, c["eval_logits"]["head"])), "train max",
              max(map(abs, c["train_logits"]["head"])), "loss", c["loss"])


if __name__ == "__main__":
    main()
