#!/usr/bin/env python3
"""Cross-checks `idml export` against PyTorch on a ResNet-50 (or any
torchvision ResNet) at 224 px, independently of idml's own forward:

    python3 scripts/dev/onnx_vs_torch.py build/idml [resnet50] [D]

1. builds an IDML network in PyTorch (torchvision's ResNet with random BN
   statistics and affine terms, the reference's `embedding` and `uncertainty`
   heads, f = GAP + GMP, l2 normalisation) and saves it as the reference code
   does: torch.save({'model_state_dict': ...}) with `model.` names;
2. runs `idml export` on that .pth (fixed batch 4, and dynamic);
3. runs both files in onnxruntime on 4 random 224 x 224 images and compares
   with PyTorch's eval-mode forward: prints 1 - the smallest cosine and the
   largest difference per output.
A developer tool; the tests do not run it.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime as ort
import torch
import torchvision


class IDMLNet(torch.nn.Module):
    def __init__(self, backbone, d):
        super().__init__()
        self.model = getattr(torchvision.models, backbone)()
        c = self.model.fc.in_features
        self.model.embedding = torch.nn.Linear(c, d)
        self.model.uncertainty = torch.nn.Linear(c, d)

    def forward(self, x):
        m = self.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
        f = torch.nn.functional.adaptive_avg_pool2d(x, 1).flatten(1) + torch.nn.functional.adaptive_max_pool2d(x, 1).flatten(1)

        def l2(v):
            return v / torch.sqrt((v * v).sum(1, keepdim=True) + 1e-12)
        return l2(m.embedding(f)), l2(m.uncertainty(f))


def main():
    idml = sys.argv[1]
    backbone = sys.argv[2] if len(sys.argv) > 2 else "resnet50"
    d = int(sys.argv[3]) if len(sys.argv) > 3 else 512
    torch.manual_seed(0)
    net = IDMLNet(backbone, d)
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):  # statistics far from the defaults, so the fold matters
            module.running_mean.uniform_(-0.2, 0.2)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.3, 0.7)
            module.bias.data.uniform_(-0.1, 0.1)
    net.eval()
    x = torch.randn(4, 3, 224, 224)
    with torch.no_grad():
        expected = [t.numpy() for t in net(x)]
    with tempfile.TemporaryDirectory() as tmp:
        pth = os.path.join(tmp, "reference.pth")
        torch.save({"model_state_dict": net.state_dict()}, pth)
        for batch in ("4", "dynamic"):
            out = os.path.join(tmp, f"model_{batch}.onnx")
            subprocess.run([idml, "export", "--checkpoint", pth, "--out", out, "--batch", batch], check=True)
            session = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
            got = session.run(["semantic", "uncertainty"], {"images": x.numpy()})
            for name, e, g in zip(("semantic", "uncertainty"), expected, got):
                e, g = e.astype(np.float64), g.astype(np.float64)
                cos = np.sum(e * g, 1) / np.linalg.norm(e, axis=1) / np.linalg.norm(g, axis=1)
                print(f"{backbone} batch {batch} {name}: 1 - smallest cosine {1 - cos.min():.2g}, "
                      f"max |torch - onnxruntime| {np.abs(e - g).max():.3g}")


if __name__ == "__main__":
    main()
