// Per-sample random numbers for augmentation. Each sample's stream is seeded
// from (seed, epoch, sample index) only, so the augmentation of a sample does
// not depend on which loader thread draws it, nor on how many there are.
// The stream itself is an idml::Generator (xoshiro256** seeded by splitmix64).
#pragma once

#include <cstdint>

#include "engine/generator.h"

namespace idml::data {

class SampleRandom : public Generator {
 public:
  explicit SampleRandom(uint64_t seed) : Generator(seed) {}
  // The stream of sample `index` in `epoch` of a run seeded with `seed`.
  static SampleRandom for_sample(uint64_t seed, uint64_t epoch, uint64_t index) {
    uint64_t s = seed;
    uint64_t mixed = splitmix64(s) ^ (epoch * 0xD1B54A32D192ED03ull);
    mixed = splitmix64(mixed) ^ (index * 0x8CB92BA72F3D8DD7ull);
    return SampleRandom(splitmix64(mixed));
  }
};

}  // namespace idml::data
