// The routes of `idml serve` (README.md here lists them with their JSON):
//   POST /api/search[?k=K][&row=R]  an image in the body (or row R of the index) -> its top-k
//   POST /api/embed[?row=R]         an image -> semantic and uncertainty vectors, ambiguity
//   GET  /api/health                model, index, batching, load
//   GET  /api/thumb/<row>           a JPEG thumbnail of an indexed image, by row number only
//   GET  /                          the web page (web/index.html)
// Every error is a JSON object {"error": message, "status": code}.
// Not here: which requests are refused before their body is read (access_policy.h).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

#include <httplib.h>

#include "serve/batcher.h"
#include "serve/embedder.h"
#include "serve/http_server.h"
#include "serve/served_index.h"

namespace idml::serve {

// At most n holders at once; take() waits for a free place.
class Slots {
 public:
  explicit Slots(int n) : free_(n) {}
  class Held {
   public:
    explicit Held(Slots& slots) : slots_(slots) {}
    ~Held() { slots_.give_back(); }
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;

   private:
    Slots& slots_;
  };
  Held take();

 private:
  void give_back();
  std::mutex mutex_;
  std::condition_variable freed_;
  int free_;
};

struct ApiContext {
  const ImagePreprocessor& preprocessor;
  const ServedIndex& index;
  Batcher& batcher;
  const ModelInfo& model;
  const ServerOptions& options;
  Slots& decoders;  // bounds the memory of decoded images
};

void add_api_routes(httplib::Server& http, ApiContext& context);

// {"error": message, "status": status} as the response.
void set_json_error(httplib::Response& res, int status, const std::string& message);

}  // namespace idml::serve
