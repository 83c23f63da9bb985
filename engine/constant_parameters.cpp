// The ConstantParameters scope's cache of folded convolutions (see the header).
#include "engine/constant_parameters.h"

#include "engine/autograd.h"

namespace idml {

namespace {
thread_local ConstantParameters* innermost = nullptr;
}  // namespace

ConstantParameters::ConstantParameters() : outer_(innermost) { innermost = this; }

ConstantParameters::~ConstantParameters() { innermost = outer_; }

ConstantParameters* ConstantParameters::active() { return innermost; }

const ConstantParameters::FoldedConv& ConstantParameters::folded(const ConvBatchNorm& parameters, double eps,
                                                                 const std::function<FoldedConv()>& fold) {
  Key key;
  for (size_t i = 0; i < parameters.size(); ++i) key[i] = parameters[i].impl().storage.get();
  auto it = entries_.find(key);
  const bool with_grad = grad_enabled();
  if (it == entries_.end() || it->second.eps != eps || it->second.with_grad != with_grad)
    it = entries_.insert_or_assign(key, Entry{parameters, eps, with_grad, fold()}).first;
  return it->second.folded;
}

}  // namespace idml
