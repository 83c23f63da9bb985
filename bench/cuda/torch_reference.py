# PyTorch rates for the same kernels as bench_cuda.cpp (same shapes, same
# flop/byte counts, same RESULT lines), for run_gpu_checks.sh's side-by-side
# table. Optional: only run when torch with CUDA is importable. Not part of
# idml's build or runtime.
import sys
import time

import torch
import torch.nn.functional as F

MIN_SECONDS = 0.1 if "--quick" in sys.argv else 0.4


def time_per_call(f):
    for _ in range(3):
        f()
    torch.cuda.synchronize()
    iterations, start = 0, time.perf_counter()
    while True:
        f()
        iterations += 1
        if iterations % 5 == 0 or iterations < 5:
            torch.cuda.synchronize()
            if time.perf_counter() - start >= MIN_SECONDS or iterations >= 2000:
                break
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / iterations


def report(name, value, unit, seconds):
    print(f"{name:44s} {value:10.2f} {unit:7s} ({seconds * 1e3:8.3f} ms)")
    print(f"RESULT {name} {value:.4f} {unit}", flush=True)


def main():
    torch.backends.cudnn.benchmark = True  # like idml: algorithm chosen once per shape by timing
    dev = torch.device("cuda")
    n = 4096
    for label, dtype, tf32 in (("sgemm_4096_fp32", torch.float32, False), ("sgemm_4096_tf32", torch.float32, True),
                               ("dgemm_4096_fp64", torch.float64, False)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        a, b = torch.randn(n, n, device=dev, dtype=dtype), torch.randn(n, n, device=dev, dtype=dtype)
        c = torch.empty(n, n, device=dev, dtype=dtype)
        t = time_per_call(lambda: torch.mm(a, b, out=c))
        report(label, 2 * n ** 3 / t / 1e12, "TFLOP/s", t)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = True  # PyTorch's default, and idml's

    batch = 120
    layers = (("conv1_7x7_3to64_224", 3, 224, 64, 7, 2), ("l1_3x3_64_56", 64, 56, 64, 3, 1),
              ("l1_1x1_256to64_56", 256, 56, 64, 1, 1), ("l2_3x3_128_28", 128, 28, 128, 3, 1),
              ("l3_3x3_256_14", 256, 14, 256, 3, 1), ("l3_1x1_1024to256_14", 1024, 14, 256, 1, 1),
              ("l4_3x3_512_7", 512, 7, 512, 3, 1))
    for name, c_in, size, c_out, k, s in layers:
        pad = k // 2
        x = torch.randn(batch, c_in, size, size, device=dev)
        w = torch.randn(c_out, c_in, k, k, device=dev)
        y = F.conv2d(x, w, None, s, pad)
        out = y.shape[2]
        flops = 2.0 * batch * c_out * out * out * c_in * k * k

        def backward(mask):
            return torch.ops.aten.convolution_backward(y, x, w, None, [s, s], [pad, pad], [1, 1], False, [0, 0], 1,
                                                       mask)

        t = time_per_call(lambda: F.conv2d(x, w, None, s, pad))
        report("conv_fwd_" + name, flops / t / 1e12, "TFLOP/s", t)
        t = time_per_call(lambda: backward([True, False, False]))
        report("conv_bwd_data_" + name, flops / t / 1e12, "TFLOP/s", t)
        t = time_per_call(lambda: backward([False, True, False]))
        report("conv_bwd_filter_" + name, flops / t / 1e12, "TFLOP/s", t)

    c = 64
    x = torch.randn(batch, c, 112, 112, device=dev)
    gamma, beta = torch.randn(c, device=dev), torch.randn(c, device=dev)
    rm, rv = torch.zeros(c, device=dev), torch.ones(c, device=dev)
    nbytes = x.numel() * 4
    t = time_per_call(lambda: torch.ops.aten.native_batch_norm(x, gamma, beta, rm, rv, True, 0.1, 1e-5))
    report("batch_norm_fwd_train_120x64x112x112", 4 * nbytes / t / 1e9, "GB/s", t)
    _, save_mean, save_invstd = torch.ops.aten.native_batch_norm(x, gamma, beta, rm, rv, True, 0.1, 1e-5)
    t = time_per_call(lambda: torch.ops.aten.native_batch_norm_backward(
        x, x, gamma, rm, rv, save_mean, save_invstd, True, 1e-5, [True, True, True]))
    report("batch_norm_bwd_120x64x112x112", 5 * nbytes / t / 1e9, "GB/s", t)
    y = torch.empty_like(x)
    t = time_per_call(lambda: torch.clamp_min(x, 0, out=y))
    report("relu_120x64x112x112", 2 * nbytes / t / 1e9, "GB/s", t)
    del x, y
    resnet50(batch)


def report_rate(name, seconds, batch):
    print(f"{name:44s} {batch / seconds:10.1f} img/s  ({seconds * 1e3:8.2f} ms/step)")
    print(f"RESULT {name} {batch / seconds:.4f} img/s", flush=True)


def seconds_per_iteration(step, warmup, iterations):
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(iterations):
        step()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / iterations


def resnet50(batch):
    """The same training step and inference as bench_resnet50.cpp, eager mode."""
    try:
        import torchvision
    except ImportError:
        print("torchvision not importable: no PyTorch ResNet-50 reference")
        return
    iterations = 3 if "--quick" in sys.argv else 10
    dev = torch.device("cuda")
    net = torchvision.models.resnet50().to(dev)
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(batch, 3, 224, 224, device=dev)
    r = torch.randn(batch, 1000, device=dev)

    def train_step(autocast=False):
        sgd.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
            loss = (net(x).float() * r).sum() / batch
        loss.backward()
        sgd.step()

    def inference():
        with torch.no_grad():
            net(x)

    for suffix, tf32_conv in (("", True), ("_fp32", False)):
        torch.backends.cudnn.allow_tf32 = tf32_conv
        net.train()
        report_rate("resnet50_train_step_b120" + suffix, seconds_per_iteration(train_step, 2, iterations), batch)
        net.eval()
        report_rate("resnet50_inference_b120" + suffix, seconds_per_iteration(inference, 2, iterations), batch)
    torch.backends.cudnn.allow_tf32 = True
    net = net.to(memory_format=torch.channels_last)
    x = x.to(memory_format=torch.channels_last)
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    net.train()
    report_rate("resnet50_train_step_b120_bf16_channels_last",
                seconds_per_iteration(lambda: train_step(autocast=True), 2, iterations), batch)


if __name__ == "__main__":
    main()
