// Parallel decode-everything scan; see dataset_check.h.
#include "data/dataset_check.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace idml::data {

DatasetCheck check_dataset(const Dataset& dataset, int threads) {
  DatasetCheck result;
  result.images = dataset.size();
  result.classes = dataset.num_classes();
  std::vector<std::string> failures(dataset.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < dataset.size();) {
      try {
        dataset.load(i);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(threads, 1); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (size_t i = 0; i < failures.size(); ++i) {
    if (failures[i].empty()) continue;
    result.unreadable.push_back(dataset.source(i));
    result.reasons.push_back(failures[i]);
  }
  return result;
}

}  // namespace idml::data
