// `idml serve`: a search service over an `idml embed` index, with its own web
// page (serve/README.md: routes, security model, measurements).
//   idml serve --checkpoint F --index PREFIX [--host 127.0.0.1] [--port 8080] [--threads N] [--token T]
// The model and the index are loaded once; SIGINT/SIGTERM stop it gracefully.
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
#include "train/cli/options.h"

namespace idml::cli {
namespace {

struct ServeArguments {
  std::string checkpoint, index, host = "127.0.0.1", token;
  int port = 8080, threads = 0, connections = 64, image_size = 224, resize_size = 256;
  double max_body_mb = 20, batch_wait_ms = 2;
  int64_t queue = 32, max_batch = 16, max_k = 100;
  DeviceChoice device;
};

std::string url_host(const std::string& host) { return host.find(':') == std::string::npos ? host : "[" + host + "]"; }

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "An HTTP search service with a web page over an `idml embed` index");
  auto a = std::make_shared<ServeArguments>();
  cmd->add_option("--checkpoint", a->checkpoint, "the model that embedded the index (.safetensors or .pth)")->required();
  cmd->add_option("--index", a->index, "PREFIX of `idml embed --out PREFIX` (PREFIX.npy, PREFIX_paths.txt)")->required();
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
  cmd->add_option("--image-size", a->image_size, "centre crop size (as given to `idml embed`)")->capture_default_str()
      ->check(CLI::Range(1, 2048));
  cmd->add_option("--resize-size", a->resize_size, "shorter side before the crop (as given to `idml embed`)")
      ->capture_default_str()->check(CLI::Range(1, 2048));
  a->device.add_to(*cmd);
  cmd->callback([a, &exit_code] {
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

    const serve::ServedIndex index = serve::ServedIndex::open(a->index);
    const Device device = a->device.resolve();
    data::TransformOptions transform;
    transform.image_size = a->image_size;
    transform.resize_size = a->resize_size;
    const serve::ImagePreprocessor preprocessor(transform);
    serve::NetworkEmbedder embedder(a->checkpoint, device, a->image_size);
    IDML_CHECK(embedder.dim() == index.dim(), "--checkpoint ", a->checkpoint, " makes ", embedder.dim(),
               "-d embeddings but --index ", a->index, ".npy holds ", index.dim(),
               "-d rows: embed the index with the same checkpoint");

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
    const serve::ModelInfo model{embedder.backbone(), std::filesystem::path(a->checkpoint).filename().string(),
                                 device.str()};
    serve::Server server(embedder, preprocessor, index, model, options);
    const int port = server.bind();
    std::printf("idml serve: %s (D = %lld) on %s, %lld images (%s search); listening on http://%s:%d/%s\n",
                model.backbone.c_str(), static_cast<long long>(embedder.dim()), model.device.c_str(),
                static_cast<long long>(index.size()), index.kind().c_str(), url_host(a->host).c_str(), port,
                a->token.empty() ? "" : " (bearer token required)");
    running.store(&server);
    server.serve();
    running.store(nullptr);
    std::printf("idml serve: stopped\n");
    exit_code = 0;
  });
}

}  // namespace idml::cli
