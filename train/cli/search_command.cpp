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
#include "train/cli/commands.h"
#include "train/cli/image_list.h"
#include "train/cli/index_queries.h"
#include "train/cli/options.h"
#include "train/evaluation.h"
#include "train/metrics/evaluate.h"
#include "train/report/html.h"
#include "io/atomic_file.h"
#include "train/search/index.h"

namespace idml::cli {
namespace {

struct SearchArguments {
  IndexQueryFlags flags;  // --index, --checkpoint, --method, --ef, --image-size, --resize-size, --precision
  std::string query, html;
  DeviceChoice device;
  int64_t k = 10, batch_size = 64;
  int workers = 2;
  bool json = false;
};

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
  a->flags.add_to(*cmd);
  cmd->add_option("--query", a->query, "an image, a directory of images or a file listing paths")->required();
  cmd->add_option("-k", a->k, "results per query")->capture_default_str();
  cmd->add_flag("--json", a->json, "print JSON instead of a table");
  cmd->add_option("--html", a->html, "also write the queries and their results as an HTML page");
  cmd->add_option("--batch-size", a->batch_size, "query images per forward pass")->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--workers", a->workers, "decoding threads")->capture_default_str();
  a->device.add_to(*cmd);
  cmd->callback([a, cmd, &exit_code] {
    IDML_CHECK(a->k >= 1, "-k must be at least 1, got ", a->k);
    const std::vector<std::string> queries = list_images(a->query, "--query");
    const auto load_start = std::chrono::steady_clock::now();
    const search::Index index = a->flags.open_index();
    const double load_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    const search::Preprocessing preprocessing = a->flags.preprocessing(index, *cmd);
    const Device device = a->device.resolve();
    const ReducedPrecisionInference precision(preprocessing.precision, device);
    const std::unique_ptr<models::IDMLNet> net = a->flags.network(index, device);
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
