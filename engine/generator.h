// Seeded pseudo-random generator (xoshiro256**, seeded by splitmix64).
// Its whole state is a few integers, so checkpoints can save and restore it
// and a run does not depend on the standard library's distributions.
#pragma once

#include <array>
#include <cstdint>

namespace idml {

// One splitmix64 step: advances `state` and returns a well-mixed word (the
// seeding of Generator, and a way to derive seeds from several numbers).
uint64_t splitmix64(uint64_t& state);

class Generator {
 public:
  explicit Generator(uint64_t seed = 0);

  uint64_t next_u64();
  double uniform();                  // [0, 1) with 53 random bits
  double normal();                   // standard normal, Box-Muller
  uint64_t below(uint64_t n);        // uniform integer in [0, n), unbiased; 0 when n <= 1

  struct State {
    std::array<uint64_t, 4> words;
    bool has_spare_normal;
    double spare_normal;
  };
  State state() const { return {words_, has_spare_, spare_}; }
  void set_state(const State& s) {
    words_ = s.words;
    has_spare_ = s.has_spare_normal;
    spare_ = s.spare_normal;
  }

 private:
  std::array<uint64_t, 4> words_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace idml
