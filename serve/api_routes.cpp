// The handlers of `idml serve`'s routes; see api_routes.h.
#include "serve/api_routes.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "data/decode.h"
#include "engine/error.h"
#include "serve/web_page.h"
#include "train/report/html.h"

namespace idml::serve {
namespace {

constexpr int kThumbnailSide = 160;

// A request error: answered with `status` and the message, never a crash.
struct BadRequest {
  int status;
  std::string message;
};

// A row number as the client wrote it: decimal digits only, inside the index.
int64_t parse_row(const std::string& text, const ServedIndex& index, const std::string& what) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    throw BadRequest{400, what + " '" + text + "' is not a row number (decimal digits, 0 to " +
                              std::to_string(index.size() - 1) + ")"};
  const int64_t row = std::stoll(text);
  if (row >= index.size())
    throw BadRequest{404, what + " " + text + " is not in the index (rows 0 to " + std::to_string(index.size() - 1) + ")"};
  return row;
}

int64_t parse_k(const std::string& text, int64_t largest) {
  const bool digits = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
  const int64_t k = digits ? std::stoll(text) : 0;
  if (k < 1 || k > largest)
    throw BadRequest{400, "k '" + text + "' must be a whole number from 1 to " + std::to_string(largest)};
  return k;
}

nlohmann::json class_json(const std::string& name) { return name.empty() ? nlohmann::json() : nlohmann::json(name); }

// The query of POST /api/search or /api/embed: the body's image, or the
// indexed image of ?row=R (read by row number: no path comes from the request).
struct QueryRequest {
  std::optional<int64_t> row;
  int64_t k = 0;
};

QueryRequest parse_query(const ApiContext& c, const httplib::Request& req, bool search) {
  QueryRequest q;
  if (search) q.k = std::min<int64_t>(10, c.index.size());
  const int64_t largest_k = std::min(c.options.max_k, c.index.size());
  for (const auto& [name, value] : req.params) {
    if (name == "row") {
      q.row = parse_row(value, c.index, "row");
    } else if (name == "k" && search) {
      q.k = parse_k(value, largest_k);
    } else {
      throw BadRequest{400, "unknown parameter '" + name + "' (" + (search ? "k and row are" : "row is") + " accepted)"};
    }
  }
  if (q.row && !req.body.empty()) throw BadRequest{400, "send an image or ?row=, not both"};
  if (!q.row && req.body.empty()) throw BadRequest{400, "the body is empty: POST the bytes of a JPEG or PNG file"};
  return q;
}

Answer run_query(const ApiContext& c, const httplib::Request& req, const QueryRequest& q) {
  std::optional<Batcher::Admission> admission = c.batcher.admit();
  if (!admission)
    throw BadRequest{503, "the server is busy (" + std::to_string(c.batcher.options().capacity) +
                              " queries in progress, idml serve --queue); retry shortly"};
  std::vector<float> image;
  {
    const Slots::Held decoding = c.decoders.take();
    try {
      image = q.row ? c.preprocessor.from_file(c.index.path(*q.row)) : c.preprocessor(req.body, "in the request body");
    } catch (const Error& e) {
      if (q.row) throw BadRequest{404, "the image of row " + std::to_string(*q.row) + " cannot be read: " + e.what()};
      throw BadRequest{400, e.what()};
    }
  }
  return c.batcher.answer(*admission, Query{std::move(image), q.k});
}

void search(const ApiContext& c, const httplib::Request& req, httplib::Response& res) {
  const QueryRequest q = parse_query(c, req, true);
  const Answer a = run_query(c, req, q);
  nlohmann::json results = nlohmann::json::array();
  for (size_t r = 0; r < a.rows.size(); ++r)
    results.push_back({{"rank", r + 1}, {"similarity", a.similarities[r]}, {"row", a.rows[r]},
                       {"class", class_json(c.index.class_name(a.rows[r]))}, {"path", c.index.path(a.rows[r])}});
  nlohmann::json body = {{"k", q.k}, {"ambiguity", a.embedding.ambiguity}, {"batch_size", a.batch_size},
                         {"results", results}};
  if (q.row) body["query_row"] = *q.row;
  res.set_content(body.dump(), "application/json");
}

void embed(const ApiContext& c, const httplib::Request& req, httplib::Response& res) {
  const QueryRequest q = parse_query(c, req, false);
  const Answer a = run_query(c, req, q);
  const nlohmann::json body = {{"dim", a.embedding.semantic.size()}, {"ambiguity", a.embedding.ambiguity},
                               {"semantic", a.embedding.semantic},   {"uncertainty", a.embedding.uncertainty},
                               {"batch_size", a.batch_size}};
  res.set_content(body.dump(), "application/json");
}

void health(const ApiContext& c, httplib::Response& res) {
  const BatchingOptions& b = c.batcher.options();
  const nlohmann::json body = {
      {"status", "ok"},
      {"model", {{"backbone", c.model.backbone}, {"checkpoint", c.model.checkpoint}, {"embedding_size", c.index.dim()}}},
      {"device", c.model.device},
      {"index", {{"size", c.index.size()}, {"dim", c.index.dim()}, {"kind", c.index.kind()}, {"ef", c.index.ef()}}},
      {"preprocessing",
       {{"image_size", c.preprocessor.options().image_size}, {"resize_size", c.preprocessor.options().resize_size}}},
      {"batching", {{"max_batch", b.max_batch}, {"max_wait_ms", b.max_wait.count() / 1000.0}, {"queue", b.capacity}}},
      {"load", {{"queries_in_progress", c.batcher.admitted()}, {"forward_passes", c.batcher.passes()}}},
      {"limits", {{"max_body_bytes", c.options.max_body_bytes}, {"max_k", std::min(c.options.max_k, c.index.size())},
                  {"max_image_pixels", data::max_image_pixels()}}},
      {"token_required", !c.options.token.empty()}};
  res.set_content(body.dump(), "application/json");
}

void thumbnail(const ApiContext& c, const httplib::Request& req, httplib::Response& res) {
  const int64_t row = parse_row(req.matches[1].str(), c.index, "row");
  std::vector<uint8_t> jpeg;
  try {
    const Slots::Held decoding = c.decoders.take();
    jpeg = report::encode_jpeg(report::thumbnail(data::decode_image_file(c.index.path(row)), kThumbnailSide));
  } catch (const Error& e) {
    throw BadRequest{404, "the image of row " + std::to_string(row) + " cannot be read: " + e.what()};
  }
  res.set_header("Cache-Control", "private, max-age=3600");
  res.set_content(reinterpret_cast<const char*>(jpeg.data()), jpeg.size(), "image/jpeg");
}

// Runs a handler; its BadRequest becomes a JSON error.
template <typename Handler>
httplib::Server::Handler answering(Handler handler) {
  return [handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const BadRequest& bad) {
      if (bad.status == 503) res.set_header("Retry-After", "1");
      set_json_error(res, bad.status, bad.message);
    }
  };
}

}  // namespace

Slots::Held Slots::take() {
  std::unique_lock<std::mutex> lock(mutex_);
  freed_.wait(lock, [&] { return free_ > 0; });
  --free_;
  return Held(*this);
}

void Slots::give_back() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++free_;
  }
  freed_.notify_one();
}

void set_json_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json({{"error", message}, {"status", status}}).dump(), "application/json");
}

void add_api_routes(httplib::Server& http, ApiContext& c) {
  http.Post("/api/search", answering([&c](const httplib::Request& req, httplib::Response& res) { search(c, req, res); }));
  http.Post("/api/embed", answering([&c](const httplib::Request& req, httplib::Response& res) { embed(c, req, res); }));
  http.Get("/api/health", answering([&c](const httplib::Request&, httplib::Response& res) { health(c, res); }));
  http.Get("/api/thumb/(.*)", answering([&c](const httplib::Request& req, httplib::Response& res) { thumbnail(c, req, res); }));
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    // The page loads nothing from elsewhere; the policy holds it to that.
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob:; "
                   "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'");
    res.set_content(web_page(), "text/html; charset=utf-8");
  });
}

}  // namespace idml::serve
