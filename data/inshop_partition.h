// In-shop Clothes Retrieval's Eval/list_eval_partition.txt (DeepFashion), as the
// Proxy-Anchor code reads it: a count line, a header line
// "image_name item_id evaluation_status", then one line per image,
//   img/WOMEN/Dresses/id_00000002/02_1_front.jpg  id_00000002  train
// with status train, query or gallery. Labels are the item ids' numbers (the
// digits after the last '_', compared as numbers as the reference's int() does)
// renumbered from 0 in sorted order, once over the train images and once over
// the query and gallery images together (so a query and a gallery image of the
// same item share a label). Every malformed line is an idml::Error naming the
// file, the line and what was expected; the count line must match the lines
// listed (a truncated file is an error, not a smaller dataset).
// Not here: checking that the images exist, decoding (inshop_dataset.cpp).
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace idml::data {

enum class InshopStatus { Train, Query, Gallery };

struct InshopImage {
  std::string name;   // relative to Inshop_Clothes/Img/
  int64_t label = 0;  // renumbered as above
};

struct InshopPartition {
  std::vector<InshopImage> train, query, gallery;  // in file order
};

// Parses the text of `in`; `source` names it in errors ("DIR/.../list_eval_partition.txt").
InshopPartition parse_inshop_partition(std::istream& in, const std::string& source);

}  // namespace idml::data
