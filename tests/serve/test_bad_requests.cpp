// serve/: bad requests of every kind get a 4xx with a JSON message, and the
// server keeps serving after each one (a good search still finds itself).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::raw_exchange;
using testing::raw_status;
using testing::RunningServer;
using testing::TinyService;

class BadRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new RunningServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // The status and JSON error message of a response, checked to be JSON.
  static std::pair<int, std::string> error_of(const httplib::Result& result) {
    EXPECT_TRUE(result) << httplib::to_string(result.error());
    if (!result) return {0, ""};
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << result->body;
    const nlohmann::json body = nlohmann::json::parse(result->body);
    EXPECT_EQ(body["status"], result->status);
    return {result->status, body["error"].get<std::string>()};
  }

  // After every bad request: health answers and an indexed image still finds itself.
  static void expect_still_serving() {
    const auto client = server_->client();
    const auto health = client->Get("/api/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    const auto found = client->Post("/api/search?k=1", file_bytes(TinyService::get().images[2]), "image/jpeg");
    ASSERT_TRUE(found);
    ASSERT_EQ(found->status, 200) << found->body;
    EXPECT_EQ(nlohmann::json::parse(found->body)["results"][0]["row"], 2);
  }

  static std::string raw(const std::string& request) { return raw_exchange(server_->port(), request); }
  static std::string host() { return "Host: 127.0.0.1:" + std::to_string(server_->port()) + "\r\n"; }

  static RunningServer* server_;
};
RunningServer* BadRequests::server_ = nullptr;

TEST_F(BadRequests, NotAnImage) {
  for (const char* route : {"/api/search", "/api/embed"}) {
    const auto [status, message] = error_of(server_->client()->Post(route, "hello, I am not a picture", "image/jpeg"));
    EXPECT_EQ(status, 400);
    EXPECT_NE(message.find("cannot decode image in the request body"), std::string::npos) << message;
    expect_still_serving();
  }
}

TEST_F(BadRequests, TruncatedJpeg) {
  const std::string jpeg = file_bytes(TinyService::get().images[0]);
  for (size_t keep : {size_t(2), size_t(200), jpeg.size() / 2, jpeg.size() - 3}) {
    const auto [status, message] = error_of(server_->client()->Post("/api/search", jpeg.substr(0, keep), "image/jpeg"));
    EXPECT_EQ(status, 400) << keep << " bytes";
    EXPECT_NE(message.find("cannot decode image"), std::string::npos) << message;
    expect_still_serving();
  }
}

TEST_F(BadRequests, ImageBomb) {
  std::string jpeg = file_bytes(TinyService::get().images[0]);
  const size_t sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  for (size_t i : {sof + 5, sof + 7}) jpeg[i] = '\x4E';  // 20000 x 20000 declared
  for (size_t i : {sof + 6, sof + 8}) jpeg[i] = '\x20';
  const auto [status, message] = error_of(server_->client()->Post("/api/search", jpeg, "image/jpeg"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("20000 x 20000"), std::string::npos) << message;
  expect_still_serving();
}

TEST_F(BadRequests, EmptyBody) {
  const auto [status, message] = error_of(server_->client()->Post("/api/search", "", "image/jpeg"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("the body is empty"), std::string::npos) << message;
  expect_still_serving();
}

TEST_F(BadRequests, HugeDeclaredContentLengthIsRefusedUnread) {
  // 1 TB declared, 10 bytes sent: the answer comes at once, and the connection
  // closes (raw_exchange reads until it does).
  const std::string response =
      raw("POST /api/search HTTP/1.1\r\n" + host() + "Content-Length: 1000000000000\r\n\r\n0123456789");
  EXPECT_EQ(raw_status(response), 413) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_NE(response.find("\"error\":\"the body declares 1000000000000 bytes"), std::string::npos) << response;
  expect_still_serving();
}

TEST_F(BadRequests, BodyOverTheLimitIsRefused) {
  serve::ServerOptions options;
  options.max_body_bytes = 1000;
  RunningServer small(options);
  const auto [status, message] =
      error_of(small.client()->Post("/api/search", file_bytes(TinyService::get().images[0]), "image/jpeg"));
  EXPECT_EQ(status, 413);
  EXPECT_NE(message.find("at most 1000"), std::string::npos) << message;
  const auto health = small.client()->Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(BadRequests, CompressedChunkedOrUnsizedBodiesAreRefused) {
  const std::string jpeg = file_bytes(TinyService::get().images[0]);
  EXPECT_EQ(raw_status(raw("POST /api/search HTTP/1.1\r\n" + host() + "Content-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd")), 415);
  EXPECT_EQ(raw_status(raw("POST /api/search HTTP/1.1\r\n" + host() + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")), 411);
  EXPECT_EQ(raw_status(raw("POST /api/search HTTP/1.1\r\n" + host() + "Connection: close\r\n\r\n")), 411);
  EXPECT_EQ(raw_status(raw("POST /api/search HTTP/1.1\r\n" + host() + "Content-Length: 12x\r\n\r\n")), 400);
  expect_still_serving();
}

TEST_F(BadRequests, ThumbnailPathsNeverReachTheFileSystem) {
  for (const char* path : {"/api/thumb/../../etc/passwd", "/api/thumb/..%2f..%2fetc%2fpasswd",
                           "/api/thumb/%2e%2e/%2e%2e/etc/passwd", "/api/thumb/0/../../../../etc/passwd",
                           "/api/thumb//etc/passwd", "/api/thumb/0%00"}) {
    const std::string response = raw(std::string("GET ") + path + " HTTP/1.1\r\n" + host() + "Connection: close\r\n\r\n");
    EXPECT_EQ(raw_status(response), 400) << path << "\n" << response;
    EXPECT_EQ(response.find("root:"), std::string::npos);
    expect_still_serving();
  }
  const auto [status, message] = error_of(server_->client()->Get("/api/thumb/../../etc/passwd"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("'../../etc/passwd' is not a row number"), std::string::npos) << message;
}

TEST_F(BadRequests, NonNumericAndOutOfRangeRows) {
  for (const char* row : {"abc", "-1", "1e3", "0x10", "%201", "1.0", "", "99999999999999999999"}) {
    const auto [status, message] = error_of(server_->client()->Get(std::string("/api/thumb/") + row));
    EXPECT_EQ(status, 400) << row;
    EXPECT_NE(message.find("is not a row number"), std::string::npos) << message;
  }
  for (const char* row : {"18", "999999"}) {
    const auto [status, message] = error_of(server_->client()->Get(std::string("/api/thumb/") + row));
    EXPECT_EQ(status, 404) << row;
    EXPECT_NE(message.find("is not in the index (rows 0 to 17)"), std::string::npos) << message;
  }
  const auto [status, message] = error_of(server_->client()->Post("/api/search?row=18", "", "application/octet-stream"));
  EXPECT_EQ(status, 404);
  expect_still_serving();
}

TEST_F(BadRequests, BadSearchParameters) {
  const std::string jpeg = file_bytes(TinyService::get().images[0]);
  for (const char* query : {"?k=0", "?k=19", "?k=abc", "?k=-1", "?k=", "?k=99999999999"}) {
    const auto [status, message] = error_of(server_->client()->Post(std::string("/api/search") + query, jpeg, "image/jpeg"));
    EXPECT_EQ(status, 400) << query;
    EXPECT_NE(message.find("must be a whole number from 1 to 18"), std::string::npos) << message;
  }
  EXPECT_EQ(error_of(server_->client()->Post("/api/search?q=1", jpeg, "image/jpeg")).first, 400);
  EXPECT_EQ(error_of(server_->client()->Post("/api/embed?k=3", jpeg, "image/jpeg")).first, 400);
  const auto [status, message] = error_of(server_->client()->Post("/api/search?row=1", jpeg, "image/jpeg"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("not both"), std::string::npos);
  expect_still_serving();
}

TEST_F(BadRequests, UnknownRoutesAndWrongMethods) {
  const auto [status, message] = error_of(server_->client()->Get("/api/nothing"));
  EXPECT_EQ(status, 404);
  EXPECT_NE(message.find("the routes are"), std::string::npos);
  const auto wrong = server_->client()->Get("/api/search");
  const auto [wrong_status, wrong_message] = error_of(wrong);
  EXPECT_EQ(wrong_status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST");
  EXPECT_EQ(error_of(server_->client()->Post("/api/health", "x", "text/plain")).first, 405);
  EXPECT_EQ(error_of(server_->client()->Delete("/api/thumb/1")).first, 405);
  EXPECT_EQ(error_of(server_->client()->Put("/", "x", "text/plain")).first, 405);
  expect_still_serving();
}

TEST_F(BadRequests, MalformedRequests) {
  EXPECT_EQ(raw_status(raw("GARBAGE\r\n\r\n")), 400);
  EXPECT_EQ(raw_status(raw("GET /api/health HTTP/1.1\r\n" + host() + "Content-Length: 5\r\nConnection: close\r\n\r\nhello")), 400);
  EXPECT_EQ(raw_status(raw("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n" + host() + "\r\n")), 414);
  EXPECT_EQ(raw(""), "");  // a connection that sends nothing is closed (after the keep-alive wait)
  expect_still_serving();
}

}  // namespace
}  // namespace idml::serve
