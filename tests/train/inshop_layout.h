// Test helper: a miniature In-shop Clothes Retrieval layout, as the real one
// is laid out (Inshop_Clothes/Eval/list_eval_partition.txt and JPEGs under
// Inshop_Clothes/Img/img/<gender>/<category>/id_XXXXXXXX/), written into a
// directory the caller gives (a private one: tests/private_directory.h).
// Each item has a stripe pattern (three colour palettes shared among the
// items) and each image of it a shift, a brightness change and noise, so the
// retrieval is neither hopeless nor perfect;
// train and eval items are disjoint and interleaved in the file, as in the
// real one. Images are 40 x 40 px.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/image.h"
#include "train/report/html.h"

namespace idml::testing {

struct InshopLayoutOptions {
  int train_items = 5, train_per_item = 4;
  int eval_items = 4, queries_per_item = 2, gallery_per_item = 2;
};

struct InshopLayout {
  std::string root;  // --data-root
  int train_images = 0, query_images = 0, gallery_images = 0;
};

// A 40 x 40 image of item `item`, variant `variant`.
inline data::Image inshop_test_image(int item, int variant) {
  data::Image image(40, 40);
  const int period = 4 + item % 5, shift = (variant * 37) % 61 - 30;  // a brightness shift per image
  uint32_t noise = 2654435761u * static_cast<uint32_t>(item * 31 + variant + 1);
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 40; ++x) {
      const bool stripe = ((item % 2 ? x : y) + variant) / period % 2 == 0;
      for (int c = 0; c < 3; ++c) {
        noise = noise * 1664525u + 1013904223u;
        // three palettes shared by the items: the pattern tells items of one palette apart
        const int base = stripe ? (item % 3 * 67 + c * 97) % 256 : (item % 3 * 29 + c * 53 + 128) % 256;
        const int value = base + shift + static_cast<int>(noise >> 25) - 64;
        image.row(y)[x * 3 + c] = static_cast<uint8_t>(value < 0 ? 0 : value > 255 ? 255 : value);
      }
    }
  return image;
}

// Writes the layout under `root`; returns what it listed.
inline InshopLayout make_inshop_layout(const std::filesystem::path& root, const InshopLayoutOptions& o = {}) {
  namespace fs = std::filesystem;
  const fs::path base = root / "Inshop_Clothes";
  fs::create_directories(base / "Eval");
  InshopLayout layout;
  layout.root = root.string();
  std::vector<std::string> lines;
  auto add = [&](int item, int variant, const char* status) {
    char id[32], name[128];
    std::snprintf(id, sizeof id, "id_%08d", 1 + 7 * item);  // gaps between the ids, as in the real file
    std::snprintf(name, sizeof name, "img/%s/Tees_Tanks/%s/%02d_%d_front.jpg", item % 2 ? "MEN" : "WOMEN", id,
                  variant + 1, variant % 4 + 1);
    const fs::path path = base / "Img" / name;
    fs::create_directories(path.parent_path());
    const std::vector<uint8_t> jpeg = report::encode_jpeg(inshop_test_image(item, variant), 95);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
    lines.push_back(std::string(name) + "   " + id + " " + status);
  };
  int train_left = o.train_items, eval_left = o.eval_items;
  for (int item = 0; train_left + eval_left > 0; ++item) {
    const bool eval_item = eval_left > 0 && (item % 2 == 1 || train_left == 0);  // alternating while both remain
    if (!eval_item) {
      --train_left;
      for (int v = 0; v < o.train_per_item; ++v, ++layout.train_images) add(item, v, "train");
      continue;
    }
    --eval_left;
    for (int v = 0; v < o.queries_per_item; ++v, ++layout.query_images) add(item, v, "query");
    for (int v = 0; v < o.gallery_per_item; ++v, ++layout.gallery_images) add(item, o.queries_per_item + v, "gallery");
  }
  std::ofstream list(base / "Eval" / "list_eval_partition.txt");
  list << lines.size() << "\nimage_name item_id evaluation_status\n";
  for (const std::string& line : lines) list << line << "\n";
  return layout;
}

}  // namespace idml::testing
