// Finite-difference gradient checking for the engine tests.
//
// For f: inputs -> output, compares the autograd gradient of
// L = sum(f(inputs) * w), with a fixed random w, against central differences
// (L(x + eps) - L(x - eps)) / (2 eps) for every element of every input that
// requires grad. Inputs should be float64 for a tight tolerance.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace idml::testing {

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

struct GradcheckResult {
  bool ok = true;
  std::string report;  // first mismatches, for the failure message
};

GradcheckResult gradcheck(const OpFn& f, const std::vector<Tensor>& inputs, double eps = 1e-6,
                          double tolerance = 1e-5);

}  // namespace idml::testing
