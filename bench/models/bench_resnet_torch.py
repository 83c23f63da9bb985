#!/usr/bin/python3
"""PyTorch side of bench_resnet: the same protocol (random input, one warm-up
iteration, eval + no_grad forward, train-mode forward + backward of sum(logits)).
Usage: bench_resnet_torch.py [--model resnet50] [--batch 8] [--size 224] [--iters 3] [--threads N] [--device cpu|cuda]
"""
import argparse
import time

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet50")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    model = getattr(torchvision.models, a.model)().to(dev)
    x = torch.randn(a.batch, 3, a.size, a.size, device=dev)

    def timed(fn):
        total = 0.0
        for i in range(a.iters + 1):
            if dev.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if dev.type == "cuda":
                torch.cuda.synchronize()
            if i > 0:
                total += time.perf_counter() - start
        return a.batch * a.iters / total

    model.eval()

    def forward():
        with torch.no_grad():
            model(x)

    fwd = timed(forward)
    model.train()

    def train_step():
        model.zero_grad(set_to_none=True)
        model(x).sum().backward()

    train = timed(train_step)
    print(f"torch {torch.__version__} {a.model} batch {a.batch} {a.size}x{a.size} on {a.device}, {a.threads} threads: "
          f"forward {fwd:.2f} images/s, forward+backward {train:.2f} images/s")


if __name__ == "__main__":
    main()
