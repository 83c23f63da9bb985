// A load generator for `idml serve`: N clients, each on its own thread with
// its own kept-alive connection, POST query photos to /api/search back to
// back, R requests each; then latency percentiles, throughput and the mean
// number of queries per forward pass (the server's batch_size).
//   bench_serve_load --port P --images DIR [--host 127.0.0.1] [--clients 1] [--requests 20]
//                    [--k 10] [--token T] [--json]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "data/decode.h"

namespace {

struct Options {
  std::string host = "127.0.0.1", images, token;
  int port = 0, clients = 1, requests = 20, k = 10;
  bool json = false;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = static_cast<size_t>(std::min<double>(values.size() - 1, std::ceil(p * values.size()) - 1));
  return values[i];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--host") o.host = value();
    else if (flag == "--port") o.port = std::stoi(value());
    else if (flag == "--images") o.images = value();
    else if (flag == "--clients") o.clients = std::stoi(value());
    else if (flag == "--requests") o.requests = std::stoi(value());
    else if (flag == "--k") o.k = std::stoi(value());
    else if (flag == "--token") o.token = value();
    else if (flag == "--json") o.json = true;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.port <= 0 || o.images.empty() || o.clients < 1 || o.requests < 1) {
    std::fprintf(stderr, "usage: %s --port P --images DIR [--clients N] [--requests R] [--k K] [--token T] [--json]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> photos;
  for (const auto& entry : std::filesystem::directory_iterator(o.images)) {
    const std::vector<uint8_t> bytes = idml::data::read_file_bytes(entry.path().string());
    photos.emplace_back(bytes.begin(), bytes.end());
  }
  if (photos.empty()) {
    std::fprintf(stderr, "no files in %s\n", o.images.c_str());
    return 2;
  }

  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<int64_t> errors{0}, batch_sum{0};
  std::string first_error;
  const std::string path = "/api/search?k=" + std::to_string(o.k);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c)
    clients.emplace_back([&, c] {
      httplib::Client client(o.host, o.port);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(300, 0);
      if (!o.token.empty()) client.set_bearer_token_auth(o.token);
      std::vector<double> mine;
      for (int r = 0; r < o.requests; ++r) {
        const std::string& photo = photos[static_cast<size_t>(c * o.requests + r) % photos.size()];
        const auto t0 = std::chrono::steady_clock::now();
        const auto result = client.Post(path, photo, "image/jpeg");
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!result || result->status != 200) {
          std::lock_guard<std::mutex> lock(mutex);
          if (errors++ == 0)
            first_error = result ? std::to_string(result->status) + " " + result->body : httplib::to_string(result.error());
          continue;
        }
        batch_sum += nlohmann::json::parse(result->body)["batch_size"].get<int64_t>();
        mine.push_back(ms);
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  for (auto& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t ok = static_cast<int64_t>(latencies_ms.size());
  const double mean_batch = ok ? static_cast<double>(batch_sum.load()) / ok : 0;
  if (o.json) {
    std::printf("%s\n", nlohmann::json({{"clients", o.clients}, {"requests", ok + errors.load()}, {"errors", errors.load()},
                                        {"seconds", seconds}, {"requests_per_second", ok / seconds},
                                        {"p50_ms", percentile(latencies_ms, 0.50)}, {"p99_ms", percentile(latencies_ms, 0.99)},
                                        {"mean_batch", mean_batch}})
                            .dump()
                            .c_str());
  } else {
    std::printf("%3d clients  %5lld requests  %3lld errors  %7.2f req/s  p50 %8.1f ms  p99 %8.1f ms  mean batch %5.2f\n",
                o.clients, static_cast<long long>(ok + errors.load()), static_cast<long long>(errors.load()), ok / seconds,
                percentile(latencies_ms, 0.50), percentile(latencies_ms, 0.99), mean_batch);
  }
  if (errors > 0) std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  return errors > 0 ? 1 : 0;
}
