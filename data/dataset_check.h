// Decodes every image of a dataset (what `idml data check` runs): counts
// images and classes and lists the sources that do not decode.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"

namespace idml::data {

struct DatasetCheck {
  size_t images = 0;
  size_t classes = 0;
  std::vector<std::string> unreadable;  // sources that fail to decode, in dataset order
  std::vector<std::string> reasons;     // the error of each, same order
};

// Decodes with `threads` threads (at least one).
DatasetCheck check_dataset(const Dataset& dataset, int threads);

}  // namespace idml::data
