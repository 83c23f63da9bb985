// The engine's effective settings (see the header).
#include "engine/settings.h"

#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include "engine/cpu/conv_choices.h"
#ifdef IDML_WITH_CUDA
#include "engine/cuda/cuda_backend.h"
#endif

namespace idml {

namespace {

// oneDNN's kernels, and so the blocked layouts and the summation order of
// its convolutions and GEMMs, follow the instruction set it dispatches to.
const char* onednn_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "all";
  }
}

}  // namespace

std::vector<EngineSetting> engine_settings(Device device) {
  std::vector<EngineSetting> out{
      {"cpu_conv", cpu::conv_implementation_name(cpu::conv_implementation()), "IDML_CPU_CONV"},
      {"cpu_conv_layout", cpu::onednn::activation_layout_name(cpu::onednn::activation_layout()),
       "IDML_CPU_CONV_LAYOUT"},
      {"cpu_threads", std::to_string(omp_get_max_threads()), "--threads, else OMP_NUM_THREADS, else the cores"},
      {"onednn_isa", onednn_isa_name(), "the CPU, capped by DNNL_MAX_CPU_ISA"},
  };
#ifdef IDML_WITH_CUDA
  if (device.is_cuda()) {
    const cuda::MathOptions math = cuda::math_options();
    out.push_back({"cuda_tf32_conv", math.tf32_conv ? "on" : "off", "IDML_TF32"});
    out.push_back({"cuda_tf32_gemm", math.tf32_gemm ? "on" : "off", "IDML_TF32"});
    out.push_back({"cudnn_benchmark", cuda::cudnn_benchmark_mode() ? "on" : "off", "IDML_CUDNN_BENCHMARK"});
  }
#endif
  return out;
}

}  // namespace idml
