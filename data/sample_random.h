// Per-sample random numbers for augmentation. Each sample's stream is seeded
// from (seed, epoch, sample index) only, so the augmentation of a sample does
// not depend on which loader thread draws it, nor on how many there are.
// xoshiro256** seeded by splitmix64 (the same family as idml::Generator), kept
// here so data/ stands on its own.
#pragma once

#include <cstdint>

namespace idml::data {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class SampleRandom {
 public:
  explicit SampleRandom(uint64_t seed) {
    uint64_t s = seed;
    for (auto& w : words_) w = splitmix64(s);
  }
  // The stream of sample `index` in `epoch` of a run seeded with `seed`.
  static SampleRandom for_sample(uint64_t seed, uint64_t epoch, uint64_t index) {
    uint64_t s = seed;
    uint64_t mixed = splitmix64(s) ^ (epoch * 0xD1B54A32D192ED03ull);
    mixed = splitmix64(mixed) ^ (index * 0x8CB92BA72F3D8DD7ull);
    return SampleRandom(splitmix64(mixed));
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(words_[1] * 5, 7) * 9;
    const uint64_t t = words_[1] << 17;
    words_[2] ^= words_[0];
    words_[3] ^= words_[1];
    words_[1] ^= words_[2];
    words_[0] ^= words_[3];
    words_[2] ^= t;
    words_[3] = rotl(words_[3], 45);
    return result;
  }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), unbiased (rejection of the short last bucket).
  uint64_t below(uint64_t n) {
    if (n <= 1) return 0;
    const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);
    uint64_t x;
    do x = next_u64(); while (x >= limit);
    return x % n;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t words_[4];
};

}  // namespace idml::data
