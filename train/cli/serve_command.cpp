// `idml serve`: a search service over an `idml embed` index, with its own web
// page (serve/README.md: routes, security model, measurements).
//   idml serve --index PREFIX [--checkpoint F] [--host 127.0.0.1] [--port 8080] [--threads N] [--token T] [--ef 100]
// The model and the index are loaded once; queries are embedded as the index
// was (its record's weights and preprocessing: train/cli/index_queries.h) and
// searched through its HNSW graph when it has one. SIGINT/SIGTERM stop it
// gracefully.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "serve/access_policy.h"
#include "serve/embedder.h"
#include "serve/http_server.h"
#include "serve/served_index.h"
#include "serve/stop_signals.h"
#include "train/cli/commands.h"
#include "train/cli/index_queries.h"
#include "train/cli/options.h"

namespace idml::cli {
namespace {

struct ServeArguments {
  IndexQueryFlags index;  // --index, --checkpoint, --method, --ef, --image-size, --resize-size, --precision
  std::string host = "127.0.0.1", token;
  int port = 8080, threads = 0, connections = 64;
  double max_body_mb = 20, batch_wait_ms = 2;
  int64_t queue = 32, max_batch = 16, max_k = 100;
  DeviceChoice device;
};

std::string url_host(const std::string& host) { return host.find(':') == std::string::npos ? host : "[" + host + "]"; }

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "An HTTP search service with a web page over an `idml embed` index");
  auto a = std::make_shared<ServeArguments>();
  a->index.add_to(*cmd);
  cmd->add_option("--host", a->host, "address to listen on; off loopback --token is required")->capture_default_str();
  cmd->add_option("--port", a->port, "port (0: any free one, printed)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", a->threads, "threads of the forward passes and the search (0: all cores)")
      ->capture_default_str()->check(CLI::Range(0, 1024));
  cmd->add_option("--token", a->token,
                  "bearer token clients must send (or the environment variable IDML_SERVE_TOKEN, which `ps` "
                  "does not show)");
  cmd->add_option("--max-body-mb", a->max_body_mb, "largest request body, in MB (larger: 413, unread)")
      ->capture_default_str()->check(CLI::Range(0.001, 1024.0));
  cmd->add_option("--queue", a->queue, "queries admitted at once (decoding, waiting or in a pass); more get 503")
      ->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(100000)));
  cmd->add_option("--connections", a->connections, "connection threads: requests handled at once")
      ->capture_default_str()->check(CLI::Range(1, 4096));
  cmd->add_option("--max-batch", a->max_batch, "queries per forward pass (1: no batching)")
      ->capture_default_str()->check(CLI::Range(int64_t(1), int64_t(1024)));
  cmd->add_option("--batch-wait-ms", a->batch_wait_ms, "how long a pass's first query waits for companions")
      ->capture_default_str()->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--max-k", a->max_k, "the most results a search may ask for")->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(100000)));
  a->device.add_to(*cmd);
  cmd->callback([a, cmd, &exit_code] {
    if (a->token.empty())
      if (const char* env = std::getenv("IDML_SERVE_TOKEN")) a->token = env;
    IDML_CHECK(serve::is_loopback(a->host) || !a->token.empty(), "--host ", a->host,
               " is not a loopback address: anyone who can reach it could use the server, so give --token "
               "(or IDML_SERVE_TOKEN); clients then send 'Authorization: Bearer <token>'");

    // Before any thread starts (OpenMP's start with the model): see stop_signals.h.
    std::atomic<serve::Server*> running{nullptr};
    serve::StopSignals signals([&running](int) {
      serve::Server* server = running.load();
      if (server == nullptr) _exit(130);  // still loading: nothing to finish
      std::fprintf(stderr, "idml serve: stopping; requests in flight are answered (a second signal quits at once)\n");
      server->stop();
    });

    const serve::ServedIndex index(a->index.open_index());
    const search::Index& opened = index.opened();
    const search::Preprocessing preprocessing = a->index.preprocessing(opened, *cmd);
    const Device device = a->device.resolve();
    const ReducedPrecisionInference precision(preprocessing.precision, device);  // while serving
    const serve::ImagePreprocessor preprocessor(preprocessing.transform_options());
    serve::NetworkEmbedder embedder(a->index.network(opened, device), device, preprocessing.image_size);

    serve::ServerOptions options;
    options.host = a->host;
    options.port = a->port;
    options.token = a->token;
    options.max_body_bytes = static_cast<uint64_t>(a->max_body_mb * 1024 * 1024);
    options.connections = a->connections;
    options.max_k = a->max_k;
    options.batching.max_batch = a->max_batch;
    options.batching.max_wait = std::chrono::microseconds(static_cast<int64_t>(a->batch_wait_ms * 1000));
    options.batching.capacity = a->queue;
    options.batching.threads = a->threads;
    const serve::ModelInfo model{embedder.backbone(),
                                 std::filesystem::path(a->index.weights_file(opened)).filename().string(), device.str()};
    serve::Server server(embedder, preprocessor, index, model, options);
    const int port = server.bind();
    const std::string method = index.kind() == "hnsw" ? "HNSW, ef " + std::to_string(index.ef()) : "exact";
    std::printf("idml serve: %s (D = %lld) on %s, %lld images (%s search); listening on http://%s:%d/%s\n",
                model.backbone.c_str(), static_cast<long long>(embedder.dim()), model.device.c_str(),
                static_cast<long long>(index.size()), method.c_str(), url_host(a->host).c_str(), port,
                a->token.empty() ? "" : " (bearer token required)");
    running.store(&server);
    server.serve();
    running.store(nullptr);
    std::printf("idml serve: stopped\n");
    exit_code = 0;
  });
}

}  // namespace idml::cli
