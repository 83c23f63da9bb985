// What `idml serve` refuses before it reads a request's body: the route table
// (404 for an unknown path, 405 for a method the route does not take), the
// Host check that stops DNS rebinding when no token is set (403), the bearer
// token (401), and bodies the server will not read: over the size limit (413),
// without a Content-Length (411) or compressed (415; the HTTP library would
// inflate them without a bound). Pure functions of the request's head, so
// that they can be tested without a socket.
// Not here: the handlers (api_routes.h), the HTTP server (http_server.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace idml::serve {

enum class Route { page, search, embed, health, thumbnail };

// "/" -> page, "/api/search", "/api/embed", "/api/health", "/api/thumb/<anything>" -> thumbnail.
std::optional<Route> find_route(const std::string& path);

// The Allow header of a route: "GET, HEAD" or "POST".
const char* allowed_methods(Route route);

// A loopback address or name: 127.0.0.0/8, ::1, localhost.
bool is_loopback(const std::string& host);

struct AccessPolicy {
  std::string token;           // the bearer token; "" = none (the server then listens on loopback only)
  uint64_t max_body_bytes = 0;
};

// The parts of a request the policy reads; headers absent are "".
struct RequestHead {
  std::string method, path;
  std::string host, authorization;
  std::string content_length, content_encoding, transfer_encoding;
};

struct Refusal {
  int status = 0;
  std::string message;  // the JSON error's text: what was wrong and what is expected
  std::string allow;    // the Allow header of a 405
};

// The first rule the request breaks, or nothing when it may be handled.
std::optional<Refusal> check_request(const AccessPolicy& policy, const RequestHead& head);

// Whether the request declares a body (a Content-Length above 0, or a
// Transfer-Encoding): when it is refused unread, its connection must close.
bool declares_body(const RequestHead& head);

}  // namespace idml::serve
