// Test helpers for serve/: a tiny service made once per test process (18
// JPEG files in 3 class folders, a ResNet-18 with random weights at 32 px
// saved as a checkpoint, and their index written as `idml embed` writes it:
// with its record, with an HNSW graph too, and as an older idml wrote it),
// a server of it running in-process on a free loopback port, the network
// wrapped so a test can hold its passes, and a raw socket for requests an
// HTTP client would not send.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "data/dataset.h"
#include "data/decode.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "serve/embedder.h"
#include "serve/http_server.h"
#include "serve/served_index.h"
#include "tests/private_directory.h"
#include "train/checkpoint.h"
#include "train/losses/proxy_anchor.h"
#include "train/evaluation.h"
#include "train/report/html.h"
#include "train/search/index_weights.h"
#include "train/search/index_writer.h"

namespace idml::testing {

struct TinyService {
  static constexpr int kImageSize = 32, kResizeSize = 36;
  std::string checkpoint;
  std::string index_prefix;   // exact search, with its record (PREFIX_index.json)
  std::string hnsw_prefix;    // the same rows with an HNSW graph
  std::string legacy_prefix;  // the same rows without a record (an idml before records)
  std::vector<std::string> images;  // the indexed files, row order

  static data::TransformOptions transform() {
    data::TransformOptions t;
    t.image_size = kImageSize;
    t.resize_size = kResizeSize;
    return t;
  }

  static const TinyService& get() {
    static const TinyService service = make();
    return service;
  }

 private:
  static TinyService make() {
    TinyService s;
    const std::filesystem::path root = fresh_directory("serve_service");
    std::mt19937 random(11);
    for (int c = 0; c < 3; ++c) {
      std::filesystem::create_directories(root / "photos" / ("class" + std::to_string(c)));
      for (int i = 0; i < 6; ++i) {  // a class colour, a gradient and noise, so that every image differs
        data::Image image(40 + 4 * i, 48);
        for (int y = 0; y < image.height; ++y)
          for (int x = 0; x < image.width; ++x)
            for (int ch = 0; ch < 3; ++ch)
              image.row(y)[x * 3 + ch] = static_cast<uint8_t>(
                  (ch == c ? 160 : 40) + (x * (i + 1) + y * ch) % 60 + static_cast<int>(random() % 30));
        const std::vector<uint8_t> jpeg = report::encode_jpeg(image, 92);
        const std::string path =
            (root / "photos" / ("class" + std::to_string(c)) / ("img" + std::to_string(i) + ".jpg")).string();
        io::write_file_atomically(path, std::string(jpeg.begin(), jpeg.end()));
        s.images.push_back(path);
      }
    }
    models::IDMLNetConfig config;
    config.backbone = "resnet18";
    config.embedding_size = 16;
    Generator gen(5);
    models::IDMLNet net(config, gen);
    train::ProxyAnchor loss(3, config.embedding_size, {}, gen);
    s.checkpoint = (root / "tiny.safetensors").string();
    train::save_model_checkpoint(s.checkpoint, net, loss, 0, nlohmann::json::object(), nlohmann::json::object());

    // The index as `idml embed` makes it (train/cli/embed_command.cpp).
    const search::LoadedNet loaded = search::load_checkpoint_net(s.checkpoint, models::EmbeddingNorm::l2, Device::cpu());
    const data::ImageFileDataset dataset(s.images, std::vector<int64_t>(s.images.size(), 0));
    const train::Embeddings e =
        train::compute_embeddings(*loaded.net, dataset, data::EvalTransform(transform()), {8, 1, Device::cpu()});
    search::IndexContents contents;
    contents.semantic = e.semantic.data();
    contents.uncertainty = e.uncertainty.data();
    contents.count = e.count;
    contents.dim = e.dim;
    contents.paths = &s.images;
    contents.weights = loaded.weights;
    contents.preprocessing.image_size = kImageSize;
    contents.preprocessing.resize_size = kResizeSize;
    s.index_prefix = (root / "index" / "photos").string();
    search::write_index(s.index_prefix, contents);
    s.hnsw_prefix = (root / "hnsw" / "photos").string();
    search::IndexWriteOptions hnsw;
    hnsw.kind = search::IndexKind::hnsw;
    search::write_index(s.hnsw_prefix, contents, hnsw);
    s.legacy_prefix = (root / "legacy" / "photos").string();
    std::filesystem::create_directories(root / "legacy");
    npy::write_npy(s.legacy_prefix + ".npy", e.semantic.data(), {e.count, e.dim});
    std::string listing;
    for (const std::string& p : s.images) listing += p + "\n";
    io::write_file_atomically(s.legacy_prefix + "_paths.txt", listing);
    return s;
  }
};

inline std::string file_bytes(const std::string& path) {
  const std::vector<uint8_t> bytes = data::read_file_bytes(path);
  return std::string(bytes.begin(), bytes.end());
}

// The real network wrapped so a test can hold it: every pass waits until
// release(), and the test can wait for the first pass and learn its size
// (how many queries it holds).
class HeldEmbedder : public serve::Embedder {
 public:
  explicit HeldEmbedder(serve::Embedder& inner) : inner_(inner) {}
  int64_t dim() const override { return inner_.dim(); }
  std::vector<serve::ImageEmbedding> embed(const std::vector<float>& images, int64_t n) override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (first_size_ == 0) first_size_ = n;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    lock.unlock();
    return inner_.embed(images, n);
  }
  int64_t wait_for_the_first_pass() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return first_size_ > 0; });
    return first_size_;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }

 private:
  serve::Embedder& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t first_size_ = 0;
  bool held_ = true;
};

// The tiny service's model, index and preprocessing, and a Server over them
// serving on a thread; destroyed: stopped, in-flight requests answered.
class RunningServer {
 public:
  explicit RunningServer(serve::ServerOptions options = {}, serve::Embedder* embedder = nullptr,
                         const std::string& prefix = TinyService::get().index_prefix)
      : index_(search::Index::open(prefix)),
        preprocessor_(TinyService::transform()),
        network_(TinyService::get().checkpoint, Device::cpu(), TinyService::kImageSize) {
    options.port = 0;
    server_ = std::make_unique<serve::Server>(embedder ? *embedder : network_, preprocessor_, index_,
                                              serve::ModelInfo{"resnet18", "tiny.safetensors", "cpu"}, options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->serve(); });
  }
  ~RunningServer() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  serve::Server& server() { return *server_; }
  serve::NetworkEmbedder& network() { return network_; }
  const serve::ServedIndex& index() const { return index_; }
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_read_timeout(60, 0);  // a hang fails the test instead of blocking it
    c->set_tcp_nodelay(true);
    return c;
  }

 private:
  serve::ServedIndex index_;
  serve::ImagePreprocessor preprocessor_;
  serve::NetworkEmbedder network_;
  std::unique_ptr<serve::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

// Sends `request` as it is, then reads until the server closes the connection
// (or 60 s pass: a hang fails the test rather than blocking it).
inline std::string raw_exchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return "connect failed";
  }
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  return response;
}

// "HTTP/1.1 413 Payload Too Large\r\n..." -> 413; 0 when there is no status line.
inline int raw_status(const std::string& response) {
  return response.compare(0, 9, "HTTP/1.1 ") == 0 && response.size() >= 12 ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace idml::testing
