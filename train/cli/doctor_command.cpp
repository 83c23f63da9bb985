// `idml doctor`: what this program found on this machine. The build (backends,
// the CUDA and cuDNN it was built for, GPU code), where each CUDA library was
// looked for and loaded from, the other shared libraries in the process, the
// driver and each GPU (name, memory, compute capability), then a smoke test on
// every GPU (elementwise kernels, a cuBLAS GEMM and a cuDNN convolution against
// the CPU). Exit status 0 only when at least one GPU is usable and passed;
// otherwise the last line names the reason.
#include <link.h>
#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/accelerator.h"
#include "engine/backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/distributed/communicator.h"
#include "engine/generator.h"
#include "engine/ops.h"
#include "train/cli/commands.h"

namespace idml::cli {

namespace {

std::string gib(size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1 << 30));
  return text;
}

// 13000 -> "13.0" (CUDA: major * 1000 + minor * 10); 91300 -> "9.13.0" (cuDNN, cuBLAS: major * 10000 + minor * 100 + patch).
std::string version_text(long v, long major_unit, long minor_unit, bool patch) {
  if (v <= 0) return "?";
  std::string out = std::to_string(v / major_unit) + "." + std::to_string(v % major_unit / minor_unit);
  if (patch) out += "." + std::to_string(v % minor_unit);
  return out;
}

// The shared objects in this process, in load order, without the vdso and the program itself.
std::vector<std::string> loaded_objects() {
  std::vector<std::string> out;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        if (info->dlpi_name && *info->dlpi_name) static_cast<std::vector<std::string>*>(data)->push_back(info->dlpi_name);
        return 0;
      },
      &out);
  return out;
}

std::string program_path() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  return n > 0 ? std::string(self, static_cast<size_t>(n)) : "?";
}

// Largest |a - b| relative to max |b| (b the CPU's result).
double relative_error(const Tensor& gpu, const Tensor& cpu) {
  const std::vector<float> a = gpu.to(Device::cpu()).to_vector<float>(), b = cpu.to_vector<float>();
  double largest = 0, error = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    largest = std::max(largest, std::abs(double(b[i])));
    error = std::max(error, std::abs(double(a[i]) - b[i]));
    if (std::isnan(a[i])) return INFINITY;
  }
  return largest > 0 ? error / largest : error;
}

// The kernels of each kind on `device` against the CPU, in full FP32; "" when all pass.
std::string smoke_test(int index) {
  const Device device = Device::cuda(index);
  const cuda::MathOptions saved = cuda::math_options();
  cuda::set_math_options({/*tf32_conv=*/false, /*tf32_gemm=*/false});  // full FP32: the CPU is the reference
  std::string failure;
  try {
    Generator gen(7);
    const Tensor x = randn({64, 16, 12, 12}, gen), w = randn({32, 16, 3, 3}, gen, 0.0, 0.1);
    const Tensor a = randn({96, 80}, gen), b = randn({80, 72}, gen);
    const struct {
      const char* what;
      Tensor gpu, cpu;
    } checks[] = {
        {"elementwise (relu, add, exp)", exp(add(relu(x.to(device)), x.to(device))), exp(add(relu(x), x))},
        {"GEMM (cuBLAS)", matmul(a.to(device), b.to(device)), matmul(a, b)},
        {"convolution (cuDNN)", conv2d(x.to(device), w.to(device), {}, {1, 1}), conv2d(x, w, {}, {1, 1})},
        {"sum", sum(x.to(device), {0, 2, 3}), sum(x, {0, 2, 3})},
    };
    for (const auto& c : checks) {
      const double error = relative_error(c.gpu, c.cpu);
      if (!(error < 1e-4)) failure += std::string(failure.empty() ? "" : "; ") + c.what + ": relative error " +
                                      std::to_string(error) + " against the CPU";
    }
    backend_for(device).synchronize();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  cuda::set_math_options(saved);
  return failure;
}

int doctor() {
  std::printf("idml %s\nprogram: %s\n", IDML_VERSION, program_path().c_str());
  std::printf("CPU threads: %d (OpenMP)\n", omp_get_max_threads());
  const cuda::RuntimeReport report = cuda::runtime_report();
  std::printf("build: backends cpu%s%s; MPI %s, NCCL %s\n", report.built ? ", cuda (" : "",
              report.built ? (report.built_for + ")").c_str() : "", distributed::built_with_mpi() ? "yes" : "no",
              distributed::built_with_nccl() ? "yes" : "no");
  if (report.built) {
    std::printf("CUDA libraries, searched in this order:\n");
    for (size_t i = 0; i < report.search.size(); ++i) std::printf("  %zu. %s\n", i + 1, report.search[i].c_str());
    for (const cuda::LoadedLibrary& library : report.libraries)
      std::printf("  %-20s %s\n", library.soname.c_str(),
                  library.path.empty() ? "NOT FOUND" : (library.path + "  (" + library.origin + ")").c_str());
    if (!report.plugin_path.empty()) std::printf("  %-20s %s\n", "CUDA plug-in", report.plugin_path.c_str());
  }
  std::printf("shared libraries in this process:\n");
  for (const std::string& object : loaded_objects()) std::printf("  %s\n", object.c_str());
  if (report.runtime_version > 0 || report.driver_cuda_version > 0)
    std::printf("runtime: CUDA runtime %s; driver %s supports CUDA %s; cuDNN %s; cuBLAS %s\n",
                version_text(report.runtime_version, 1000, 10, false).c_str(),
                report.driver_version.empty() ? "(no /proc/driver/nvidia/version)" : report.driver_version.c_str(),
                version_text(report.driver_cuda_version, 1000, 10, false).c_str(),
                version_text(static_cast<long>(report.cudnn_version), 10000, 100, true).c_str(),
                version_text(report.cublas_version, 10000, 100, true).c_str());

  int usable = 0;
  for (const cuda::GpuInfo& gpu : report.gpus) {
    std::printf("GPU %d: %s, %s (%s free), compute capability %d.%d, %d multiprocessors, PCI %s\n", gpu.index,
                gpu.name.c_str(), gib(gpu.total_bytes).c_str(), gib(gpu.free_bytes).c_str(), gpu.major, gpu.minor,
                gpu.multiprocessors, gpu.pci_bus_id.c_str());
    const auto start = std::chrono::steady_clock::now();
    const std::string failure = smoke_test(gpu.index);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (failure.empty()) {
      ++usable;
      std::printf("  smoke test on cuda:%d: elementwise, GEMM, convolution and sum equal the CPU's (%.0f ms)\n",
                  gpu.index, ms);
    } else {
      std::printf("  smoke test on cuda:%d FAILED: %s\n", gpu.index, failure.c_str());
    }
  }
  if (usable > 0) {
    std::printf("result: %d usable GPU(s) of %zu\n", usable, report.gpus.size());
    return 0;
  }
  const std::string reason = report.gpus.empty() ? cuda_unavailable_reason() : "every GPU failed its smoke test";
  std::printf("result: no usable GPU: %s\n", reason.c_str());
  return 1;
}

}  // namespace

void add_doctor_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "doctor", "What this idml found here: build, CUDA libraries and where they came from, driver, GPUs, a smoke "
                "test on each; exit status 0 only with a usable GPU");
  cmd->callback([&exit_code] { exit_code = doctor(); });
}

}  // namespace idml::cli
