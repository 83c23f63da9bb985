// The list_eval_partition.txt parser; the format is in the header.
#include "data/inshop_partition.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "engine/error.h"

namespace idml::data {
namespace {

constexpr const char* kHeader = "image_name item_id evaluation_status";

// A non-negative decimal number of digits only, or -1 (empty, another character, or past int64).
int64_t parse_digits(const std::string& text) {
  if (text.empty()) return -1;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    if (value > (INT64_MAX - (c - '0')) / 10) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string trimmed(const std::string& line) {
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(" \t") - first + 1);
}

// The number of an item id: the digits after its last '_' (id_00000001 -> 1), as int(x.split('_')[-1]).
int64_t item_number(const std::string& item_id, const std::string& where) {
  const size_t underscore = item_id.rfind('_');
  const int64_t number = parse_digits(underscore == std::string::npos ? item_id : item_id.substr(underscore + 1));
  IDML_CHECK(number >= 0, where, ": item_id '", item_id,
             "' does not end in a number after its last '_' (expected an id like id_00000001)");
  return number;
}

struct Entry {
  std::string name;
  int64_t item;
  InshopStatus status;
};

// Label = rank of the item number among the sorted distinct numbers of `entries` of the given statuses.
void assign_labels(const std::vector<Entry>& entries, std::initializer_list<InshopStatus> statuses,
                   InshopPartition& out) {
  auto selected = [&](const Entry& e) { return std::find(statuses.begin(), statuses.end(), e.status) != statuses.end(); };
  std::map<int64_t, int64_t> label_of;
  for (const Entry& e : entries)
    if (selected(e)) label_of.emplace(e.item, 0);
  int64_t next = 0;
  for (auto& [item, label] : label_of) label = next++;
  for (const Entry& e : entries) {
    if (!selected(e)) continue;
    std::vector<InshopImage>& split = e.status == InshopStatus::Train   ? out.train
                                      : e.status == InshopStatus::Query ? out.query
                                                                        : out.gallery;
    split.push_back({e.name, label_of.at(e.item)});
  }
}

}  // namespace

InshopPartition parse_inshop_partition(std::istream& in, const std::string& source) {
  std::string line;
  auto next_line = [&] {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  IDML_CHECK(next_line(), source, " is empty; expected a count line, the header '", kHeader,
             "', then one line per image");
  const int64_t declared = parse_digits(trimmed(line));
  IDML_CHECK(declared >= 0, source, ":1: expected the number of images (the file's first line), got '", line, "'");
  IDML_CHECK(next_line(), source, ":2: missing the header line '", kHeader, "'");
  std::istringstream header_words(line);
  std::string header, word;
  while (header_words >> word) header += (header.empty() ? "" : " ") + word;
  IDML_CHECK(header == kHeader, source, ":2: expected the header '", kHeader, "', got '", line,
             "' (is this In-shop's Eval/list_eval_partition.txt?)");

  std::vector<Entry> entries;
  for (size_t line_number = 3; next_line(); ++line_number) {
    if (trimmed(line).empty()) continue;
    const std::string where = source + ":" + std::to_string(line_number);
    std::istringstream words(line);
    std::string name, item_id, status, extra;
    IDML_CHECK(static_cast<bool>(words >> name >> item_id >> status) && !(words >> extra), where,
               ": expected 'image_name item_id evaluation_status', got '", line, "'");
    Entry entry{name, item_number(item_id, where), InshopStatus::Train};
    if (status == "query") entry.status = InshopStatus::Query;
    else if (status == "gallery") entry.status = InshopStatus::Gallery;
    else IDML_CHECK(status == "train", where, ": evaluation_status must be train, query or gallery, got '", status, "'");
    entries.push_back(std::move(entry));
  }
  IDML_CHECK(static_cast<int64_t>(entries.size()) == declared, source, " declares ", declared,
             " images on its first line but lists ", entries.size(), " (a truncated or edited file?)");

  InshopPartition out;
  assign_labels(entries, {InshopStatus::Train}, out);
  assign_labels(entries, {InshopStatus::Query, InshopStatus::Gallery}, out);
  return out;
}

}  // namespace idml::data
