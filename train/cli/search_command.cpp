// `idml search`: the nearest images of an `idml embed` index to query images,
// by cosine similarity of the semantic embeddings (train/search/index.h):
// through the HNSW graph when the index has one, exactly otherwise.
//   idml search --index PREFIX --query IMG_OR_DIR [--checkpoint F] [-k 10] [--ef 100] [--json] [--html FILE]
// The queries are embedded as the index was: by the weights and with the
// preprocessing its record names (an index from before records needs
// --checkpoint, --image-size and --resize-size).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/decode.h"
#include "models/trained_net.h"
#include "train/cli/commands.h"
#include "train/cli/image_list.h"
#include "train/cli/options.h"
#include "train/evaluation.h"
#include "train/metrics/evaluate.h"
#include "train/report/html.h"
#include "io/atomic_file.h"
#include "train/search/index.h"
#include "train/search/index_weights.h"

namespace idml::cli {
namespace {

struct SearchArguments {
  std::string checkpoint, index, query, html, method = "auto";
  DeviceChoice device;
  int64_t k = 10, batch_size = 64, ef = search::kDefaultEf;
  int image_size = 224, resize_size = 256, workers = 2;
  InferencePrecision precision = InferencePrecision::Float32;
  bool json = false;
};

// The preprocessing of the queries: the record's; a flag may repeat it, not
// contradict it. An index from before records: the flags, all of them given.
search::Preprocessing query_preprocessing(const search::Index& index, const SearchArguments& a, const CLI::App& cmd) {
  const std::string record_file = search::index_files(a.index).record;
  const bool sizes_given = cmd.count("--image-size") > 0 && cmd.count("--resize-size") > 0;
  if (!index.record()) {
    IDML_CHECK(sizes_given && !a.checkpoint.empty(), "--index ", a.index, " has no record of how it was made (",
               record_file, "; an older idml wrote none): re-run `idml embed` to write one, or give ",
               "--checkpoint, --image-size and --resize-size exactly as given to `idml embed`");
    std::fprintf(stderr, "warning: --index %s has no record (%s): embedding the queries with --image-size %d "
                 "--resize-size %d, and not checking that --checkpoint embedded the index\n",
                 a.index.c_str(), record_file.c_str(), a.image_size, a.resize_size);
    search::Preprocessing p;
    p.image_size = a.image_size;
    p.resize_size = a.resize_size;
    p.precision = a.precision;
    return p;
  }
  search::Preprocessing p = index.record()->preprocessing;
  IDML_CHECK(cmd.count("--image-size") == 0 || a.image_size == p.image_size, "--image-size ", a.image_size,
             ": --index ", a.index, " was embedded with --image-size ", p.image_size, " (", record_file,
             "); leave the flag out");
  IDML_CHECK(cmd.count("--resize-size") == 0 || a.resize_size == p.resize_size, "--resize-size ", a.resize_size,
             ": --index ", a.index, " was embedded with --resize-size ", p.resize_size, " (", record_file,
             "); leave the flag out");
  if (cmd.count("--precision") > 0 && a.precision != p.precision) {
    std::fprintf(stderr, "note: --precision %s, but --index %s was embedded in %s: similarities move a little\n",
                 train::choice_name(a.precision).c_str(), a.index.c_str(), train::choice_name(p.precision).c_str());
    p.precision = a.precision;
  }
  return p;
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string thumbnail_or_blank(const std::string& path) {
  try {
    return report::jpeg_data_uri(data::decode_image_file(path), 96);
  } catch (const Error&) {
    return "";  // an index image that moved since `idml embed`: the page still shows its path
  }
}

void write_search_page(const std::string& out, const std::vector<std::string>& queries,
                       const search::Index& index, const metrics::NearestNeighbours& found) {
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>idml search</title><style>"
       << report::page_style() << "</style></head><body>\n<h1>idml search</h1>\n<p class=\"sub\">"
       << index.count() << " images in the index; cosine similarity under each result</p>\n";
  for (size_t q = 0; q < queries.size(); ++q) {
    page << "<div class=\"row\"><div class=\"cell q\"><img alt=\"\" src=\"" << thumbnail_or_blank(queries[q])
         << "\"><div class=\"n\" title=\"" << report::html_escape(queries[q]) << "\">" << report::html_escape(file_name(queries[q]))
         << "</div><div>query</div></div><div class=\"gap\"></div>";
    for (int64_t r = 0; r < found.k; ++r) {
      const size_t j = static_cast<size_t>(found.neighbours_of(static_cast<int64_t>(q))[r]);
      char similarity[32];
      std::snprintf(similarity, sizeof similarity, "%.3f", found.similarities[q * found.k + r]);
      const std::string& path = index.paths()[j];
      const std::string name = index.classes()[j].empty() ? file_name(path) : index.classes()[j];
      page << "<div class=\"cell\"><img alt=\"\" src=\"" << thumbnail_or_blank(path) << "\"><div class=\"n\" title=\""
           << report::html_escape(path) << "\">" << report::html_escape(name) << "</div><div>" << similarity
           << "</div></div>";
    }
    page << "</div>\n";
  }
  page << "</body></html>\n";
  io::write_file_atomically(out, page.str());
}

}  // namespace

void add_search_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("search", "The nearest images of an `idml embed` index to query images");
  auto a = std::make_shared<SearchArguments>();
  cmd->add_option("--index", a->index, "PREFIX of `idml embed --out PREFIX` (PREFIX.npy, PREFIX_index.json, ...)")
      ->required();
  cmd->add_option("--query", a->query, "an image, a directory of images or a file listing paths")->required();
  cmd->add_option("--checkpoint", a->checkpoint,
                  "the model that embedded the index (default: the file its record names; checked by SHA-256)");
  cmd->add_option("-k", a->k, "results per query")->capture_default_str();
  cmd->add_option("--method", a->method, "auto (HNSW when the index has one), exact or hnsw")->capture_default_str()
      ->check(CLI::IsMember({"auto", "exact", "hnsw"}));
  cmd->add_option("--ef", a->ef, "HNSW: candidates per query (more: better recall, slower)")->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(1) << 24));
  cmd->add_flag("--json", a->json, "print JSON instead of a table");
  cmd->add_option("--html", a->html, "also write the queries and their results as an HTML page");
  cmd->add_option("--image-size", a->image_size, "centre crop size (only for an index without a record)")
      ->capture_default_str()->check(CLI::Range(1, 2048));
  cmd->add_option("--resize-size", a->resize_size, "shorter side before the crop (only for an index without a record)")
      ->capture_default_str()->check(CLI::Range(1, 2048));
  add_choice_option(*cmd, "--precision", a->precision, "inference convolutions (default: the index's)");
  cmd->add_option("--batch-size", a->batch_size, "query images per forward pass")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--workers", a->workers, "decoding threads")->capture_default_str();
  a->device.add_to(*cmd);
  cmd->callback([a, cmd, &exit_code] {
    IDML_CHECK(a->k >= 1, "-k must be at least 1, got ", a->k);
    const std::vector<std::string> queries = list_images(a->query, "--query");
    const auto load_start = std::chrono::steady_clock::now();
    search::OpenOptions open_options;
    open_options.method = a->method == "exact"  ? search::SearchMethod::exact
                          : a->method == "hnsw" ? search::SearchMethod::hnsw
                                                : search::SearchMethod::automatic;
    open_options.ef = a->ef;
    const search::Index index = search::Index::open(a->index, open_options);
    const double load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    const search::Preprocessing preprocessing = query_preprocessing(index, *a, *cmd);
    const Device device = a->device.resolve();
    const ReducedPrecisionInference precision(preprocessing.precision, device);
    const std::unique_ptr<models::IDMLNet> net =
        index.record() ? search::load_index_net(*index.record(), a->index, a->checkpoint, device).net
                       : models::load_trained_net(a->checkpoint, device);
    const int64_t embedding_size = net->config().embedding_size;
    IDML_CHECK(embedding_size == index.dim(), "--checkpoint ", a->checkpoint, " makes ", embedding_size,
               "-d embeddings but --index ", a->index, ".npy holds ", index.dim(),
               "-d rows: embed the index with the same checkpoint");
    const data::ImageFileDataset dataset(queries, std::vector<int64_t>(queries.size(), 0));
    train::Embeddings e = train::compute_embeddings(*net, dataset,
                                                    data::EvalTransform(preprocessing.transform_options()),
                                                    {a->batch_size, a->workers, device});
    metrics::l2_normalize(e.semantic.data(), e.count, e.dim);

    const int64_t k = std::min(a->k, index.count());
    const auto start = std::chrono::steady_clock::now();
    const metrics::NearestNeighbours found = index.search(e.semantic.data(), e.count, k);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const std::string method = index.method() == search::SearchMethod::hnsw
                                   ? "HNSW, ef " + std::to_string(std::max(index.ef(), k))
                                   : std::string("exact");
    std::fprintf(stderr, "searched %lld images (D = %lld, %s) for %lld queries in %.1f ms (index loaded in %.2f s)\n",
                 static_cast<long long>(index.count()), static_cast<long long>(index.dim()), method.c_str(),
                 static_cast<long long>(e.count), ms, load_seconds);

    nlohmann::json json = nlohmann::json::array();
    for (int64_t q = 0; q < e.count; ++q) {
      nlohmann::json results = nlohmann::json::array();
      if (!a->json) std::printf("query %s\n  rank  similarity  path  class\n", queries[q].c_str());
      for (int64_t r = 0; r < k; ++r) {
        const size_t j = static_cast<size_t>(found.neighbours_of(q)[r]);
        const float similarity = found.similarities[static_cast<size_t>(q * k + r)];
        const std::string& cls = index.classes()[j];
        const std::string& path = index.paths()[j];
        results.push_back({{"rank", r + 1}, {"similarity", similarity}, {"path", path},
                           {"class", cls.empty() ? nlohmann::json() : nlohmann::json(cls)}});
        if (!a->json)
          std::printf("  %4lld  %10.6f  %s  %s\n", static_cast<long long>(r + 1), similarity, path.c_str(),
                      cls.empty() ? "-" : cls.c_str());
      }
      json.push_back({{"query", queries[static_cast<size_t>(q)]}, {"results", results}});
    }
    if (a->json) std::printf("%s\n", json.dump().c_str());
    if (!a->html.empty()) {
      write_search_page(a->html, queries, index, found);
      std::fprintf(stderr, "wrote %s\n", a->html.c_str());
    }
    exit_code = 0;
  });
}

}  // namespace idml::cli
