// make_inshop_layout DIR: writes the miniature In-shop layout of
// tests/train/inshop_layout.h under DIR (for cli_inshop.sh) and prints its
// train, query and gallery image counts.
#include <cstdio>

#include "tests/train/inshop_layout.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_inshop_layout DIR\n");
    return 2;
  }
  const idml::testing::InshopLayout layout = idml::testing::make_inshop_layout(argv[1]);
  std::printf("%d %d %d\n", layout.train_images, layout.query_images, layout.gallery_images);
  return 0;
}
