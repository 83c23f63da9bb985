#!/usr/bin/python3
"""Goldens for tests/nn/test_optimizers.cpp: three steps of each torch.optim
optimiser on two parameter groups with weight decay, gradients given by a
formula both sides compute, one parameter that never has a gradient.

Run: /usr/bin/python3 tests/nn/golden/make_optim.py   (torch 1.13)
Writes: optim.json
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = [[3, 4], [5], [2, 3], [4]]  # group 0: params 0, 1; group 1: params 2, 3 (3 never has a gradient)
STEPS = 3


def values(n, k):
    """v[i] = sin(0.7 i + 1.3 k), computed in double, stored as float32 on both sides."""
    return [math.sin(0.7 * i + 1.3 * k) for i in range(n)]


def tensor(shape, k):
    n = math.prod(shape)
    return torch.tensor(values(n, k), dtype=torch.float64).float().reshape(shape)


CASES = {
    "sgd": lambda g: torch.optim.SGD(g, lr=0.1),
    "sgd_momentum_dampening": lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9, dampening=0.1),
    "sgd_nesterov": lambda g: torch.optim.SGD(g, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda g: torch.optim.Adam(g, lr=0.1),
    "adamw": lambda g: torch.optim.AdamW(g, lr=0.1),
    "rmsprop": lambda g: torch.optim.RMSprop(g, lr=0.1, alpha=0.9),
    "rmsprop_momentum": lambda g: torch.optim.RMSprop(g, lr=0.1, alpha=0.9, momentum=0.9),
}


def run(make):
    params = [tensor(s, 10 + i).requires_grad_(True) for i, s in enumerate(SHAPES)]
    groups = [{"params": params[:2], "weight_decay": 0.05},
              {"params": params[2:], "lr": 0.03, "weight_decay": 0.2}]
    opt = make(groups)
    for step in range(STEPS):
        for i, p in enumerate(params[:3]):
            p.grad = tensor(SHAPES[i], 100 * (step + 1) + i) * (step + 1)
        opt.step()
    return [[float(x) for x in p.detach().reshape(-1)] for p in params]


def main():
    out = {"shapes": SHAPES, "steps": STEPS, "cases": {name: run(make) for name, make in CASES.items()}}
    # StepLR(step_size=2, gamma=0.5) over 6 epochs, lr 0.1 and 0.03: lr at the start of each epoch.
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.03}], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()
    out["step_lr"] = lrs
    with open(os.path.join(HERE, "optim.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
