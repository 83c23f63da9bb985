// serve/: 16 clients x 50 queries at once give exactly the answers one client
// gets alone, with no error, though they share forward passes (the first
// pass is held until the other 15 clients' queries are queued, so that a
// batch of 15 is certain).
#include <gtest/gtest.h>

#include <atomic>

#include <nlohmann/json.hpp>

#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::HeldEmbedder;
using testing::RunningServer;
using testing::TinyService;

constexpr int kClients = 16, kQueriesEach = 50;

// What a query's answer must equal: the ranked rows, similarities and ambiguity.
nlohmann::json essence(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body);
  return {{"results", j["results"]}, {"ambiguity", j["ambiguity"]}};
}

// 16 clients x 50 queries against the index at `prefix`, every pass but the
// first batched: each answer equals the one the query got alone.
void sixteen_clients_get_the_single_client_answers(const std::string& prefix) {
  const TinyService& service = TinyService::get();
  std::vector<std::string> images;
  for (const std::string& path : service.images) images.push_back(file_bytes(path));

  NetworkEmbedder network(service.checkpoint, Device::cpu(), TinyService::kImageSize);
  std::vector<nlohmann::json> alone;
  {
    RunningServer server({}, &network, prefix);
    const auto client = server.client();
    for (const std::string& image : images) {
      const auto result = client->Post("/api/search?k=5", image, "image/jpeg");
      ASSERT_TRUE(result);
      ASSERT_EQ(result->status, 200) << result->body;
      EXPECT_EQ(nlohmann::json::parse(result->body)["batch_size"], 1);
      alone.push_back(essence(result->body));
    }
  }

  HeldEmbedder held(network);
  ServerOptions options;
  options.batching.max_batch = 16;
  RunningServer server(options, &held, prefix);
  std::atomic<int> errors{0}, mismatches{0}, largest_batch{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      const auto client = server.client();
      for (int q = 0; q < kQueriesEach; ++q) {
        const size_t i = static_cast<size_t>(c * kQueriesEach + q) % images.size();
        const auto result = client->Post("/api/search?k=5", images[i], "image/jpeg");
        if (!result || result->status != 200) {
          if (++errors == 1)
            ADD_FAILURE() << "client " << c << " query " << q << ": "
                          << (result ? std::to_string(result->status) + " " + result->body
                                     : httplib::to_string(result.error()));
          continue;
        }
        if (essence(result->body) != alone[i] && ++mismatches == 1)
          ADD_FAILURE() << "client " << c << " query " << q << " (image " << i << "):\n"
                        << essence(result->body).dump() << "\nalone:\n" << alone[i].dump();
        const int batch = nlohmann::json::parse(result->body)["batch_size"];
        for (int seen = largest_batch.load(); batch > seen && !largest_batch.compare_exchange_weak(seen, batch);) {
        }
      }
    });
  const int64_t first = held.wait_for_the_first_pass();
  while (first + server.server().batcher().queued() < kClients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  held.release();
  for (auto& t : clients) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GE(largest_batch.load(), kClients / 2);
  EXPECT_GE(server.server().batcher().passes(), 2);
}

TEST(ServeConcurrency, SixteenClientsGetExactlyTheSingleClientAnswers) {
  sixteen_clients_get_the_single_client_answers(TinyService::get().index_prefix);
}

TEST(ServeConcurrency, SixteenClientsGetExactlyTheSingleClientAnswersThroughHnsw) {
  sixteen_clients_get_the_single_client_answers(TinyService::get().hnsw_prefix);
}

}  // namespace
}  // namespace idml::serve
