// serve/: the server's safety: the bearer token when one is set, the Host
// check without one, a host off loopback refused without a token, a second
// server refused on a port in use, 503 when the queue is full, and a
// graceful stop that answers the request in flight and accepts no new one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/error.h"
#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::HeldEmbedder;
using testing::raw_exchange;
using testing::raw_status;
using testing::RunningServer;
using testing::TinyService;

TEST(ServeSecurity, WithATokenEveryApiRouteNeedsIt) {
  ServerOptions options;
  options.token = "s3cret-token";
  RunningServer server(options);
  const std::string jpeg = file_bytes(TinyService::get().images[1]);
  const auto anonymous = server.client();
  for (const auto& result : {anonymous->Get("/api/health"), anonymous->Get("/api/thumb/1"),
                             anonymous->Post("/api/search", jpeg, "image/jpeg"),
                             anonymous->Post("/api/embed", jpeg, "image/jpeg")}) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 401) << result->body;
    EXPECT_EQ(result->get_header_value("WWW-Authenticate"), "Bearer realm=\"idml serve\"");
    EXPECT_NE(result->body.find("Authorization: Bearer"), std::string::npos);
  }
  const auto wrong = server.client();
  wrong->set_bearer_token_auth("s3cret-tokem");
  EXPECT_EQ(wrong->Get("/api/health")->status, 401);
  EXPECT_EQ(anonymous->Get("/")->status, 200);  // the page, which asks for the token

  const auto client = server.client();
  client->set_bearer_token_auth("s3cret-token");
  EXPECT_EQ(client->Get("/api/health")->status, 200);
  EXPECT_EQ(nlohmann::json::parse(client->Get("/api/health")->body)["token_required"], true);
  EXPECT_EQ(client->Get("/api/thumb/1")->status, 200);
  const auto found = client->Post("/api/search?k=1", jpeg, "image/jpeg");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200);
  EXPECT_EQ(nlohmann::json::parse(found->body)["results"][0]["row"], 1);
}

TEST(ServeSecurity, WithoutATokenRequestsForOtherHostsAreRefused) {
  RunningServer server;
  const std::string request = "GET /api/health HTTP/1.1\r\nHost: attacker.example:" + std::to_string(server.port()) +
                              "\r\nConnection: close\r\n\r\n";
  const std::string response = raw_exchange(server.port(), request);
  EXPECT_EQ(raw_status(response), 403) << response;
  EXPECT_NE(response.find("without --token"), std::string::npos);
  const std::string local = "GET /api/health HTTP/1.1\r\nHost: localhost:" + std::to_string(server.port()) +
                            "\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(raw_status(raw_exchange(server.port(), local)), 200);
}

TEST(ServeSecurity, AHostOffLoopbackNeedsAToken) {
  const ServedIndex index = ServedIndex(search::Index::open(TinyService::get().index_prefix));
  const ImagePreprocessor preprocessor(TinyService::transform());
  NetworkEmbedder network(TinyService::get().checkpoint, Device::cpu(), TinyService::kImageSize);
  ServerOptions options;
  options.host = "0.0.0.0";
  try {
    Server server(network, preprocessor, index, {"resnet18", "tiny", "cpu"}, options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--host 0.0.0.0 is not a loopback address"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--token"), std::string::npos);
  }
}

TEST(ServeSecurity, APortInUseIsAnErrorNamingIt) {
  RunningServer first;
  const ServedIndex index = ServedIndex(search::Index::open(TinyService::get().index_prefix));
  const ImagePreprocessor preprocessor(TinyService::transform());
  ServerOptions options;
  options.port = first.port();
  Server second(first.network(), preprocessor, index, {"resnet18", "tiny", "cpu"}, options);
  try {
    second.bind();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(first.port()) +
                                         ": Address already in use"),
              std::string::npos)
        << e.what();
  }
}

TEST(ServeSecurity, AFullQueueAnswers503) {
  ServerOptions options;
  options.batching.capacity = 1;
  RunningServer server(options);
  const std::string jpeg = file_bytes(TinyService::get().images[0]);
  {
    std::optional<Batcher::Admission> taken = server.server().batcher().admit();  // the one place
    ASSERT_TRUE(taken);
    const auto busy = server.client()->Post("/api/search", jpeg, "image/jpeg");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->get_header_value("Retry-After"), "1");
    EXPECT_NE(busy->body.find("the server is busy"), std::string::npos) << busy->body;
    EXPECT_EQ(server.client()->Get("/api/health")->status, 200);  // no model work: still answered
  }
  const auto served = server.client()->Post("/api/search", jpeg, "image/jpeg");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

bool accepts_connections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return connected;
}

TEST(ServeSecurity, StopAnswersTheRequestInFlightAndAcceptsNoMore) {
  NetworkEmbedder network(TinyService::get().checkpoint, Device::cpu(), TinyService::kImageSize);
  HeldEmbedder held(network);
  RunningServer server({}, &held);
  httplib::Result in_flight{nullptr, httplib::Error::Unknown};
  std::thread request([&] {
    in_flight = server.client()->Post("/api/search?k=3", file_bytes(TinyService::get().images[5]), "image/jpeg");
  });
  held.wait_for_the_first_pass();                 // the request is in the model
  std::thread stopping([&] { server.stop(); });  // returns when the request is answered
  while (accepts_connections(server.port()))  // until the listening socket is closed
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  held.release();
  request.join();
  stopping.join();
  ASSERT_TRUE(in_flight) << httplib::to_string(in_flight.error());
  ASSERT_EQ(in_flight->status, 200) << in_flight->body;
  EXPECT_EQ(nlohmann::json::parse(in_flight->body)["results"][0]["row"], 5);
}

}  // namespace
}  // namespace idml::serve
