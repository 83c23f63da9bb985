// oneDNN memory for the CPU convolutions (onednn_conv.cpp): the engine and
// stream, reorders, the layouts a primitive leaves an operand in
// (PrimitiveLayout, tagged on a tensor's storage: engine/storage.h), and
// Operand, a caller's buffer seen in the layout a primitive wants. Internal to
// engine/cpu; onednn_conv.h is the interface.
#pragma once

#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "engine/cpu/onednn_conv.h"
#include "engine/cpu/scratch.h"
#include "engine/storage.h"

namespace idml::cpu::onednn {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

// What an operand is: an activation or gradient of one (its reorders count in
// activation_reorders(); its dims read n, c, h, w), or a weight or its
// gradient (o, i, h, w).
enum class OperandKind { activation, weight };

// from -> to, waiting for it.
void reorder(const memory& from, const memory& to, OperandKind kind);

// oneDNN's name of a blocked memory format, e.g. "nChw16c", "OIhw16i16o":
// the dims outermost first (capitals for the blocked ones), then the blocks.
std::string format_name(const memory::desc& desc, OperandKind kind);

// An operand's bytes in the layout a primitive computes in (engine/storage.h):
// an activation or gradient it output, or a constant weight held for it.
class PrimitiveLayout final : public StoredLayout {
 public:
  PrimitiveLayout(const memory::desc& stored, const memory::desc& plain, OperandKind kind)
      : stored_(stored), plain_(plain), kind_(kind) {}
  const memory::desc& desc() const { return stored_; }
  std::string name() const override { return "oneDNN " + format_name(stored_, kind_); }
  void to_plain(const void* stored, void* plain) const override {
    reorder(memory(stored_, cpu_engine(), const_cast<void*>(stored)), memory(plain_, cpu_engine(), plain), kind_);
  }
  void from_plain(const void* plain, void* stored) const override {
    reorder(memory(plain_, cpu_engine(), const_cast<void*>(plain)), memory(stored_, cpu_engine(), stored), kind_);
  }
  bool same_as(const StoredLayout& other) const override {
    const auto* o = dynamic_cast<const PrimitiveLayout*>(&other);
    return o != nullptr && o->stored_ == stored_;
  }
  int64_t channel_block() const override {
    if (stored_.dims().size() != 4) return 0;
    for (const auto& [block, blocked] : {std::pair{16, tag::nChw16c}, std::pair{8, tag::nChw8c}})
      if (stored_ == memory::desc(stored_.dims(), f32, blocked)) return block;
    return 0;
  }
  std::shared_ptr<const StoredLayout> with_dims(const std::vector<int64_t>& dims) const override {
    const int64_t block = channel_block();
    if (block == 0 || dims.size() != 4 || dims[1] % block != 0) return nullptr;
    return std::make_shared<PrimitiveLayout>(memory::desc(dims, f32, block == 16 ? tag::nChw16c : tag::nChw8c),
                                             memory::desc(dims, f32, tag::nchw), kind_);
  }

 private:
  memory::desc stored_, plain_;
  OperandKind kind_;
};

// The layout an operand of `dims` is held in: plain (NCHW, OIHW), or the
// primitive layout it was left in.
memory::desc held_desc(const Held& a, const memory::dims& dims);

// The layout a primitive computes an operand of `dims` in, to tag an output
// (or a held weight) left in it; null when that is the plain layout itself or
// needs more bytes (e.g. channels padded to 16).
std::shared_ptr<const PrimitiveLayout> storable_layout(const memory::desc& computed, const memory::dims& dims,
                                                       OperandKind kind);

// A caller's buffer, held in layout `held`, seen in the layout `wanted`:
// either the buffer itself or a scratch copy that reorders in and/or out.
class Operand {
 public:
  Operand(Backend& be, const memory::desc& wanted, const memory::desc& held, void* data, OperandKind kind)
      : user_(held, cpu_engine(), data), kind_(kind) {
    if (wanted == held) {
      mem_ = user_;
    } else {
      scratch_.reset(new Scratch<char>(be, static_cast<int64_t>(wanted.get_size())));
      mem_ = memory(wanted, cpu_engine(), scratch_->data());
    }
  }
  Operand(const Operand&) = delete;
  Operand& operator=(const Operand&) = delete;
  memory mem() const { return mem_; }
  void read_in() const {
    if (scratch_) reorder(user_, mem_, kind_);
  }
  void write_out() const {
    if (scratch_) reorder(mem_, user_, kind_);
  }

 private:
  memory user_, mem_;
  OperandKind kind_;
  std::unique_ptr<Scratch<char>> scratch_;
};

}  // namespace idml::cpu::onednn
