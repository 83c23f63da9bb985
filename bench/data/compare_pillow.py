#!/usr/bin/python3
"""Pillow + torchvision on the same files as bench_data, for comparison:
decode, decode + train transform, decode + eval transform, in images per second,
with 1 process and with one process per core (as a torch DataLoader with
num_workers = cores would run them).

    /usr/bin/python3 bench/data/compare_pillow.py [files...]
"""
import io
import multiprocessing as mp
import os
import sys
import time

import torch
import torchvision.transforms as T
from PIL import Image

FILES = sys.argv[1:] or [
    "/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg",
    "/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg",
]
NORMALIZE = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
PIPELINES = {
    "decode": None,
    "decode+train": T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(), NORMALIZE]),
    "decode+eval": T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), NORMALIZE]),
}
ENCODED = [open(f, "rb").read() for f in FILES]


def work(args):
    name, count = args
    torch.set_num_threads(1)
    pipeline = PIPELINES[name]
    for i in range(count):
        image = Image.open(io.BytesIO(ENCODED[i % len(ENCODED)])).convert("RGB")
        if pipeline is not None:
            pipeline(image)
    return count


def cpu_rate(name, count=200):
    """Images per CPU-second of one process: comparable on a loaded machine."""
    work((name, 20))
    start = time.process_time()
    done = work((name, count))
    return done / (time.process_time() - start)


def rate(name, processes, count=400):
    if processes == 1:
        work((name, 20))
        start = time.perf_counter()
        done = work((name, count))
    else:
        with mp.Pool(processes) as pool:
            pool.map(work, [(name, 5)] * processes)
            start = time.perf_counter()
            done = sum(pool.map(work, [(name, count)] * processes))
    return done / (time.perf_counter() - start)


if __name__ == "__main__":
    cores = os.cpu_count()
    print(f"files: {', '.join(FILES)}; Pillow {Image.__version__}, torch {torch.__version__}")
    for name in PIPELINES:
        one = rate(name, 1)
        many = rate(name, cores)
        cpu = cpu_rate(name)
        print(f"{name:14s} 1 process: {one:8.1f} images/s   {cores} processes: {many:8.1f} images/s"
              f"   per CPU-second: {cpu:8.1f} images")
