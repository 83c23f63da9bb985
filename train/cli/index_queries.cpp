// Resolving the flags of `idml search` and `idml serve`; see index_queries.h.
#include "train/cli/index_queries.h"

#include <cstdio>

#include "engine/error.h"
#include "models/trained_net.h"
#include "train/cli/options.h"
#include "train/search/index_weights.h"

namespace idml::cli {

void IndexQueryFlags::add_to(CLI::App& cmd) {
  cmd.add_option("--index", index, "PREFIX of `idml embed --out PREFIX` (PREFIX.npy, PREFIX_index.json, ...)")
      ->required();
  cmd.add_option("--checkpoint", checkpoint,
                 "the model that embedded the index (default: the file its record names; checked by SHA-256)");
  cmd.add_option("--method", method, "auto (HNSW when the index has one), exact or hnsw")->capture_default_str()
      ->check(CLI::IsMember({"auto", "exact", "hnsw"}));
  cmd.add_option("--ef", ef, "HNSW: candidates per query (more: better recall, slower)")->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(1) << 24));
  cmd.add_option("--image-size", image_size, "centre crop size (only for an index without a record)")
      ->capture_default_str()->check(CLI::Range(1, 2048));
  cmd.add_option("--resize-size", resize_size, "shorter side before the crop (only for an index without a record)")
      ->capture_default_str()->check(CLI::Range(1, 2048));
  add_choice_option(cmd, "--precision", precision, "inference convolutions (default: the index's)");
}

search::Index IndexQueryFlags::open_index() const {
  search::OpenOptions options;
  options.method = method == "exact"  ? search::SearchMethod::exact
                   : method == "hnsw" ? search::SearchMethod::hnsw
                                      : search::SearchMethod::automatic;
  options.ef = ef;
  return search::Index::open(index, options);
}

search::Preprocessing IndexQueryFlags::preprocessing(const search::Index& opened, const CLI::App& cmd) const {
  const std::string record_file = search::index_files(index).record;
  if (!opened.record()) {
    const bool sizes_given = cmd.count("--image-size") > 0 && cmd.count("--resize-size") > 0;
    IDML_CHECK(sizes_given && !checkpoint.empty(), "--index ", index, " has no record of how it was made (",
               record_file, "; an older idml wrote none): re-run `idml embed` to write one, or give ",
               "--checkpoint, --image-size and --resize-size exactly as given to `idml embed`");
    std::fprintf(stderr, "warning: --index %s has no record (%s): embedding the queries with --image-size %d "
                 "--resize-size %d, and not checking that --checkpoint embedded the index\n",
                 index.c_str(), record_file.c_str(), image_size, resize_size);
    search::Preprocessing p;
    p.image_size = image_size;
    p.resize_size = resize_size;
    p.precision = precision;
    return p;
  }
  search::Preprocessing p = opened.record()->preprocessing;
  IDML_CHECK(cmd.count("--image-size") == 0 || image_size == p.image_size, "--image-size ", image_size,
             ": --index ", index, " was embedded with --image-size ", p.image_size, " (", record_file,
             "); leave the flag out");
  IDML_CHECK(cmd.count("--resize-size") == 0 || resize_size == p.resize_size, "--resize-size ", resize_size,
             ": --index ", index, " was embedded with --resize-size ", p.resize_size, " (", record_file,
             "); leave the flag out");
  if (cmd.count("--precision") > 0 && precision != p.precision) {
    std::fprintf(stderr, "note: --precision %s, but --index %s was embedded in %s: similarities move a little\n",
                 train::choice_name(precision).c_str(), index.c_str(), train::choice_name(p.precision).c_str());
    p.precision = precision;
  }
  return p;
}

std::unique_ptr<models::IDMLNet> IndexQueryFlags::network(const search::Index& opened, Device device) const {
  std::unique_ptr<models::IDMLNet> net = opened.record()
                                             ? search::load_index_net(*opened.record(), index, checkpoint, device).net
                                             : models::load_trained_net(checkpoint, device);
  const int64_t embedding_size = net->config().embedding_size;
  IDML_CHECK(embedding_size == opened.dim(), "--checkpoint ", weights_file(opened), " makes ", embedding_size,
             "-d embeddings but --index ", index, ".npy holds ", opened.dim(),
             "-d rows: embed the index with the same checkpoint");
  return net;
}

std::string IndexQueryFlags::weights_file(const search::Index& opened) const {
  return checkpoint.empty() && opened.record() ? opened.record()->weights.path : checkpoint;
}

}  // namespace idml::cli
