// `idml serve`'s HTTP server (cpp-httplib): the routes of api_routes.h behind
// the checks of access_policy.h, on a pool of connection threads, with the
// model's passes batched (batcher.h). It listens on loopback unless told
// otherwise, and then only with a bearer token. stop() ends it gracefully:
// no new connection is accepted, and the requests in flight are answered.
// Not here: the command line, signals (train/cli/serve_command.cpp, stop_signals.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "serve/batcher.h"
#include "serve/embedder.h"
#include "serve/served_index.h"

namespace idml::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0: any free port (bind() says which)
  std::string token;                     // bearer token; required unless `host` is a loopback address
  uint64_t max_body_bytes = 20u << 20;   // larger bodies are refused unread (413)
  int connections = 64;                  // connection threads: requests served at once
  int decoders = 0;                      // images decoded at once (each up to 3 bytes per allowed pixel); 0: one per core
  int64_t max_k = 100;                   // the largest k a search may ask for
  BatchingOptions batching;
};

// What /api/health reports about the model.
struct ModelInfo {
  std::string backbone;    // "resnet50"
  std::string checkpoint;  // the checkpoint's file name (not its folder)
  std::string device;      // "cpu", "cuda:0"
};

class Server {
 public:
  // Checks the options (a host off loopback needs a token); nothing listens yet.
  Server(Embedder& embedder, const ImagePreprocessor& preprocessor, const ServedIndex& index, ModelInfo model,
         ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Opens the listening socket; returns its port. Throws naming host:port.
  int bind();
  // Answers requests until stop(); returns when every request in flight is answered.
  void serve();
  // Asks serve() to end; returns at once. Any thread may call it.
  void stop();

  Batcher& batcher();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace idml::serve
