// The closed choices of the configuration (--dataset, --optimizer, --loss, --metric,
// --clustering, --device, --precision) as enums, with the one spelling of each value that
// the command line, config.json, checkpoints and metrics.jsonl all use.
//   parse_choice<Optimizer>("sgd", "--optimizer") == Optimizer::Sgd
//   choice_name(Optimizer::Sgd) == "sgd";  choice_list<Optimizer>() == "adamw, adam, sgd or rmsprop"
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "data/dataset_catalog.h"
#include "engine/device.h"
#include "engine/error.h"
#include "engine/precision.h"
#include "train/losses/criterion.h"

namespace idml::train {

enum class Optimizer { AdamW, Adam, Sgd, RmsProp };
// NMI/F1 by k-means: auto (off where the dataset's k-means is costly on a CPU) | on | off.
enum class Clustering { Auto, On, Off };

template <typename E>
using Choices = std::vector<std::pair<E, std::string>>;

// The values of E and their spellings, in the order help texts list them.
template <typename E>
const Choices<E>& choices();
template <> const Choices<data::DatasetId>& choices();
template <> const Choices<Optimizer>& choices();
template <> const Choices<LossKind>& choices();
template <> const Choices<Metric>& choices();
template <> const Choices<Clustering>& choices();
template <> const Choices<DeviceKind>& choices();
template <> const Choices<InferencePrecision>& choices();

template <typename E>
const std::string& choice_name(E value) {
  for (const auto& [v, name] : choices<E>())
    if (v == value) return name;
  static const std::string unknown = "?";
  return unknown;
}

// "a, b or c"
template <typename E>
std::string choice_list() {
  const Choices<E>& all = choices<E>();
  std::string out;
  for (size_t i = 0; i < all.size(); ++i)
    out += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i].second;
  return out;
}

// "FLAG: expected a, b or c, got 'TEXT'" when TEXT is none of them.
std::string choice_error(const std::string& flag, const std::string& list, const std::string& text);

template <typename E>
E parse_choice(const std::string& text, const std::string& flag) {
  for (const auto& [v, name] : choices<E>())
    if (name == text) return v;
  throw Error(choice_error(flag, choice_list<E>(), text));
}

}  // namespace idml::train
