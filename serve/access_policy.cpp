// The checks made on a request's head; see access_policy.h.
#include "serve/access_policy.h"

#include <arpa/inet.h>

#include <cctype>

namespace idml::serve {
namespace {

constexpr const char* kRouteList =
    "GET /, POST /api/search, POST /api/embed, GET /api/health, GET /api/thumb/<row>";

bool all_digits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Compares in time that depends on the lengths only, not on where they differ.
bool same_secret(const std::string& given, const std::string& expected) {
  if (expected.empty()) return false;
  unsigned char differ = given.size() != expected.size();
  for (size_t i = 0; i < given.size(); ++i) differ |= given[i] ^ expected[i % expected.size()];
  return differ == 0;
}

// "name:port" or "[v6]:port" -> the name; a name alone stays as it is.
std::string host_name(const std::string& host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return close == std::string::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.rfind(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

}  // namespace

std::optional<Route> find_route(const std::string& path) {
  if (path == "/") return Route::page;
  if (path == "/api/search") return Route::search;
  if (path == "/api/embed") return Route::embed;
  if (path == "/api/health") return Route::health;
  if (path.compare(0, 11, "/api/thumb/") == 0) return Route::thumbnail;
  return std::nullopt;
}

const char* allowed_methods(Route route) {
  return route == Route::search || route == Route::embed ? "POST" : "GET, HEAD";
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::optional<Refusal> check_request(const AccessPolicy& policy, const RequestHead& head) {
  const std::optional<Route> route = find_route(head.path);
  if (!route) return Refusal{404, "no route " + head.method + " " + head.path + "; the routes are " + kRouteList, ""};
  const bool posts = *route == Route::search || *route == Route::embed;
  const bool method_ok = posts ? head.method == "POST" : head.method == "GET" || head.method == "HEAD";
  if (!method_ok)
    return Refusal{405, head.method + " " + head.path + ": this route takes " + allowed_methods(*route),
                   allowed_methods(*route)};
  if (policy.token.empty()) {
    // Without a token the server listens on loopback; a page of another site
    // that re-points its own name at 127.0.0.1 still sends its name as Host.
    if (!is_loopback(host_name(head.host)))
      return Refusal{403,
                     "Host '" + head.host + "' refused: without --token this server answers only requests "
                     "addressed to 127.0.0.1, localhost or [::1]",
                     ""};
  } else if (*route != Route::page) {  // the page holds no data; it asks for the token
    const std::string prefix = "Bearer ";
    const bool bearer = head.authorization.compare(0, prefix.size(), prefix) == 0;
    if (!bearer || !same_secret(head.authorization.substr(prefix.size()), policy.token))
      return Refusal{401,
                     head.authorization.empty() ? "this server requires the header 'Authorization: Bearer <token>'"
                                                : "wrong token in the Authorization header",
                     ""};
  }
  if (!head.content_encoding.empty() && head.content_encoding != "identity")
    return Refusal{415, "Content-Encoding '" + head.content_encoding + "' is not accepted: send the image file as it is",
                   ""};
  if (!head.transfer_encoding.empty())
    return Refusal{411, "Transfer-Encoding '" + head.transfer_encoding + "' is not accepted: send a Content-Length", ""};
  if (posts && head.content_length.empty())
    return Refusal{411, "POST " + head.path + " needs a Content-Length header", ""};
  if (!head.content_length.empty()) {
    if (!all_digits(head.content_length) || head.content_length.size() > 19)
      return Refusal{400, "Content-Length '" + head.content_length + "' is not a byte count", ""};
    if (std::stoull(head.content_length) > policy.max_body_bytes)
      return Refusal{413,
                     "the body declares " + head.content_length + " bytes; this server takes at most " +
                         std::to_string(policy.max_body_bytes) + " (idml serve --max-body-mb)",
                     ""};
  }
  if (!posts && declares_body(head))
    return Refusal{400, head.method + " " + head.path + " takes no body", ""};
  return std::nullopt;
}

bool declares_body(const RequestHead& head) {
  return !head.transfer_encoding.empty() || head.content_length.find_first_not_of('0') != std::string::npos;
}

}  // namespace idml::serve
