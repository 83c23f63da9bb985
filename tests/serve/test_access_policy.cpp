// serve/access_policy: the refusals made before a body is read, rule by rule.
#include <gtest/gtest.h>

#include "serve/access_policy.h"

namespace idml::serve {
namespace {

RequestHead head(const std::string& method, const std::string& path) {
  RequestHead h;
  h.method = method;
  h.path = path;
  h.host = "127.0.0.1:8080";
  return h;
}

int status_of(const AccessPolicy& policy, const RequestHead& h) {
  const std::optional<Refusal> refusal = check_request(policy, h);
  return refusal ? refusal->status : 0;
}

const AccessPolicy kOpen{"", 1000};
const AccessPolicy kTokened{"s3cret", 1000};

TEST(AccessPolicy, RoutesAndMethods) {
  RequestHead search = head("POST", "/api/search");
  search.content_length = "10";
  EXPECT_EQ(status_of(kOpen, search), 0);
  EXPECT_EQ(status_of(kOpen, head("GET", "/")), 0);
  EXPECT_EQ(status_of(kOpen, head("HEAD", "/api/health")), 0);
  EXPECT_EQ(status_of(kOpen, head("GET", "/api/thumb/12")), 0);
  EXPECT_EQ(status_of(kOpen, head("GET", "/api/nothing")), 404);
  EXPECT_EQ(status_of(kOpen, head("GET", "/index.html")), 404);
  const std::optional<Refusal> wrong = check_request(kOpen, head("GET", "/api/search"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->allow, "POST");
  EXPECT_EQ(check_request(kOpen, head("DELETE", "/api/health"))->allow, "GET, HEAD");
  EXPECT_EQ(status_of(kOpen, head("OPTIONS", "/")), 405);
}

TEST(AccessPolicy, WithoutATokenOnlyLoopbackHostsAreAnswered) {
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "localhost", "127.0.0.5:1"}) {
    RequestHead h = head("GET", "/api/health");
    h.host = host;
    EXPECT_EQ(status_of(kOpen, h), 0) << host;
  }
  for (const char* host : {"evil.example:8080", "evil.example", "", "0.0.0.0:8080", "[::2]:8080", "127.0.0.1.evil.example"}) {
    RequestHead h = head("GET", "/api/health");
    h.host = host;
    EXPECT_EQ(status_of(kOpen, h), 403) << host;
  }
}

TEST(AccessPolicy, WithATokenEveryApiRouteNeedsIt) {
  RequestHead h = head("GET", "/api/health");
  h.host = "server.lan:8080";  // any Host: the token guards
  EXPECT_EQ(status_of(kTokened, h), 401);
  h.authorization = "Bearer wrong!";
  EXPECT_EQ(status_of(kTokened, h), 401);
  h.authorization = "Bearer s3cret2";
  EXPECT_EQ(status_of(kTokened, h), 401);
  h.authorization = "Basic s3cret";
  EXPECT_EQ(status_of(kTokened, h), 401);
  h.authorization = "Bearer s3cret";
  EXPECT_EQ(status_of(kTokened, h), 0);
  EXPECT_EQ(status_of(kTokened, head("GET", "/")), 0);  // the page itself asks for the token
  EXPECT_EQ(status_of(kTokened, head("GET", "/api/thumb/1")), 401);
}

TEST(AccessPolicy, BodiesItWillNotRead) {
  RequestHead h = head("POST", "/api/search");
  EXPECT_EQ(status_of(kOpen, h), 411);  // no Content-Length
  h.content_length = "1001";
  EXPECT_EQ(status_of(kOpen, h), 413);
  h.content_length = "99999999999999999999999";
  EXPECT_EQ(status_of(kOpen, h), 400);
  h.content_length = "12abc";
  EXPECT_EQ(status_of(kOpen, h), 400);
  h.content_length = "1000";
  EXPECT_EQ(status_of(kOpen, h), 0);
  h.content_encoding = "gzip";
  EXPECT_EQ(status_of(kOpen, h), 415);
  h.content_encoding = "";
  h.transfer_encoding = "chunked";
  EXPECT_EQ(status_of(kOpen, h), 411);
  RequestHead get = head("GET", "/api/health");
  get.content_length = "5";
  EXPECT_EQ(status_of(kOpen, get), 400);
  EXPECT_TRUE(declares_body(get));
  get.content_length = "0";
  EXPECT_FALSE(declares_body(get));
}

TEST(AccessPolicy, Loopback) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("127.1.2.3"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_TRUE(is_loopback("localhost"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("::"));
  EXPECT_FALSE(is_loopback("192.168.1.2"));
  EXPECT_FALSE(is_loopback("example.com"));
}

}  // namespace
}  // namespace idml::serve
