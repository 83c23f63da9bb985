#!/usr/bin/python3
"""The IDML training step of docs/METHOD.md#5-training-step in PyTorch, timed the way `idml bench`
times ours: synthetic input, one warm-up step, then --steps timed steps of
(mixup, two forward passes, ISM + Proxy-Anchor loss x3, backward, clip 10,
AdamW, the loss read for the log), every parameter trainable and BatchNorm
frozen; then inference.

  /usr/bin/python3 bench/train/idml_step_torch.py --model resnet50 --batch-size 8 --image-size 224
  build/idml bench --model resnet50 --batch-size 8 --image-size 224
On a GPU (--device cuda), --precision picks the math, cudnn.benchmark on:
  fp32   full FP32 (cuDNN and cuBLAS TF32 off)            = IDML_TF32=0 idml bench --device cuda
  tf32   TF32 for convolutions and matmuls                 = IDML_TF32=1 idml bench --device cuda
  bf16   channels-last model and input, bf16 autocast      (no idml equivalent yet)
Prints one JSON object with the same keys as `idml bench --json` (plus torch's
version, the precision and the GPU memory peak).
"""
import argparse
import json
import time

import torch
import torchvision


def l2_norm(x):
    return x / torch.sqrt((x * x).sum(1, keepdim=True) + 1e-12)


class IDMLNet(torch.nn.Module):
    def __init__(self, model, dim):
        super().__init__()
        self.model = getattr(torchvision.models, model)()
        feat = self.model.fc.in_features
        self.model.embedding = torch.nn.Linear(feat, dim)
        self.model.uncertainty = torch.nn.Linear(feat, dim)
        torch.nn.init.kaiming_normal_(self.model.embedding.weight, mode="fan_out")
        torch.nn.init.constant_(self.model.embedding.bias, 0)

    def forward(self, x):
        m = self.model
        x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
        x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
        f = torch.nn.functional.adaptive_avg_pool2d(x, 1) + torch.nn.functional.adaptive_max_pool2d(x, 1)
        f = f.flatten(1)
        return l2_norm(m.embedding(f)), l2_norm(m.uncertainty(f))


def ism(s, u, p):
    cos0 = torch.nn.functional.linear(l2_norm(s), l2_norm(p))
    d_s = ((s * s).sum(1, keepdim=True) + (p * p).sum(1).unsqueeze(0) - 2 * s @ p.t()).clamp_min(1e-12)
    d_u = (u * u).sum(1, keepdim=True)
    return 1 - (1 - cos0) * torch.exp(-(d_u + 4) / (5 * d_s))


def proxy_anchor(s, u, y, proxies, alpha=32.0, mrg=0.1):
    sim = ism(s, u, proxies)
    pos = torch.nn.functional.one_hot(y, proxies.shape[0]).float()
    pos_sum = (torch.exp(-alpha * (sim - mrg)) * pos).sum(0)
    neg_sum = (torch.exp(alpha * (sim + mrg)) * (1 - pos)).sum(0)
    valid = (pos.sum(0) != 0).sum()
    return torch.log(1 + pos_sum).sum() / valid + torch.log(1 + neg_sum).sum() / proxies.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--image-size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True  # like idml: the algorithm timed once per shape
        tf32 = a.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
    elif a.precision != "fp32":
        ap.error("--precision tf32 and bf16 need --device cuda")
    channels_last = a.precision == "bf16"
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.precision == "bf16")
    torch.manual_seed(0)
    net = IDMLNet(a.model, 512).to(dev)
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
    for m in net.modules():  # BN freeze: inference mode throughout
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()
    proxies = torch.nn.Parameter(torch.randn(100, 512, device=dev) * (2 / 100) ** 0.5)
    opt = torch.optim.AdamW([{"params": net.parameters()}, {"params": [proxies], "lr": 1e-2}], lr=1e-4,
                            weight_decay=1e-4)
    x = torch.randn(a.batch_size, 3, a.image_size, a.image_size, device=dev)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 100, (a.batch_size,), device=dev)

    def step():
        lam = float(torch.rand(1))
        perm = torch.randperm(a.batch_size, device=dev)
        x2 = lam * x + (1 - lam) * x[perm]
        with autocast:
            s1, u1 = net(x)
            s2, u2 = net(x2)
        s1, u1, s2, u2 = (t.float() for t in (s1, u1, s2, u2))  # the loss in FP32, as idml's
        loss = proxy_anchor(s1, u1, y, proxies) + lam * proxy_anchor(s2, u2, y, proxies) + \
            (1 - lam) * proxy_anchor(s2, u2, y[perm], proxies)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(net.parameters(), 10)
        torch.nn.utils.clip_grad_value_([proxies], 10)
        opt.step()
        loss.item()  # the loss for the log, as idml reads it once per step

    def infer():
        with torch.no_grad(), autocast:
            net(x)

    def rate(fn):
        fn()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(a.steps):
            fn()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        return a.batch_size * a.steps / (time.perf_counter() - start)

    train = rate(step)
    net.eval()
    inference = rate(infer)
    out = {"model": a.model, "batch_size": a.batch_size, "image_size": a.image_size, "device": a.device,
           "precision": a.precision, "train_images_per_second": train, "inference_images_per_second": inference,
           "torch": torch.__version__, "threads": torch.get_num_threads()}
    if dev.type == "cuda":
        out["gpu_peak_allocated_gib"] = torch.cuda.max_memory_allocated() / 2**30
        out["gpu"] = torch.cuda.get_device_name()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
