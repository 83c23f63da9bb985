// What the layers above engine/ may ask about CUDA, so that no file outside
// engine/ needs #ifdef IDML_WITH_CUDA: the device count, why CUDA is not
// usable, and full-float32 GEMMs for code whose error bounds assume them.
// Implemented in backend.cpp beside the dispatch (the CUDA plug-in answers them).
#pragma once

#include <string>

namespace idml {

int cuda_device_count();                // 0 when built without CUDA or no device is present
std::string cuda_unavailable_reason();  // why cuda_available() is false, for messages; "" when it is true

// While one lives, float32 GEMMs on CUDA devices run in full float32 (TF32
// off), e.g. where an error bound assumes float32 rounding (2^-24, not TF32's
// 2^-11); the previous setting comes back after. Nothing to do on the CPU.
class ExactFloat32Gemms {
 public:
  ExactFloat32Gemms();
  ~ExactFloat32Gemms();
  ExactFloat32Gemms(const ExactFloat32Gemms&) = delete;
  ExactFloat32Gemms& operator=(const ExactFloat32Gemms&) = delete;

 private:
  bool restore_tf32_ = false;
};

}  // namespace idml
