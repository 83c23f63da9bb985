// The HTTP server of `idml serve`; see http_server.h.
#include "serve/http_server.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <httplib.h>

#include "engine/error.h"
#include "serve/access_policy.h"
#include "serve/api_routes.h"

namespace idml::serve {
namespace {

// The connection threads. The listening thread calls enqueue() after each
// accepted connection and on_idle() when none came for kIdlePoll: both look
// at the stop flag, so a stop is seen within kIdlePoll however busy or quiet
// the server is, from the thread that may close the listening socket.
class ConnectionPool : public httplib::ThreadPool {
 public:
  ConnectionPool(size_t threads, std::function<void()> check_stop)
      : httplib::ThreadPool(threads), check_stop_(std::move(check_stop)) {}
  void enqueue(std::function<void()> fn) override {
    httplib::ThreadPool::enqueue(std::move(fn));
    check_stop_();
  }
  void on_idle() override { check_stop_(); }

 private:
  std::function<void()> check_stop_;
};
constexpr int kIdlePollMicroseconds = 50'000;

// SO_REUSEADDR (a restart need not wait for TIME_WAIT) but not httplib's
// default SO_REUSEPORT, with which a second server would share the port
// silently; non-blocking, so that accept() after a poll never hangs.
void listening_socket_options(socket_t sock) {
  const int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
}

RequestHead head_of(const httplib::Request& req) {
  RequestHead head;
  head.method = req.method;
  head.path = req.path;
  head.host = req.get_header_value("Host");
  head.authorization = req.get_header_value("Authorization");
  head.content_length = req.get_header_value("Content-Length");
  head.content_encoding = req.get_header_value("Content-Encoding");
  head.transfer_encoding = req.get_header_value("Transfer-Encoding");
  return head;
}

// A refusal of a request whose body is still unread must close the
// connection, or those bytes would be read as the next request. httplib 0.11
// closes a connection when a content provider fails, so the error is written
// whole by a provider that then reports failure.
void refuse_and_close(httplib::Response& res, int status, const std::string& json) {
  res.status = status;
  res.set_header("Connection", "close");
  res.set_content_provider(json.size(), "application/json",
                           [json](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(json.data() + offset, length);
                             return false;
                           });
}

// The errors httplib answers itself, before any handler runs.
std::string library_error_message(int status) {
  switch (status) {
    case 400: return "malformed request (request line, headers or body)";
    case 404: return "no such route";
    case 413: return "the body is larger than this server takes (idml serve --max-body-mb)";
    case 414: return "the request line is too long";
    case 416: return "the Range header is not satisfiable";
    default: return "HTTP error " + std::to_string(status);
  }
}

}  // namespace

struct Server::State {
  State(Embedder& embedder, const ImagePreprocessor& preprocessor, const ServedIndex& index, ModelInfo model_info,
        ServerOptions server_options)
      : model(std::move(model_info)),
        options(std::move(server_options)),
        decoders(options.decoders > 0 ? options.decoders : std::max(1u, std::thread::hardware_concurrency())),
        batcher(embedder, index, options.batching),
        api{preprocessor, index, batcher, model, options, decoders} {}

  ModelInfo model;
  ServerOptions options;
  Slots decoders;
  Batcher batcher;
  ApiContext api;
  httplib::Server http;
  std::atomic<bool> stop_requested{false};
  socket_t listening_socket = -1;
};

Server::Server(Embedder& embedder, const ImagePreprocessor& preprocessor, const ServedIndex& index, ModelInfo model,
               ServerOptions options) {
  IDML_CHECK(is_loopback(options.host) || !options.token.empty(), "--host ", options.host,
             " is not a loopback address: anyone who can reach it could use the server, so give --token (clients "
             "then send 'Authorization: Bearer <token>')");
  IDML_CHECK(options.port >= 0 && options.port <= 65535, "--port must be in [0, 65535], got ", options.port);
  IDML_CHECK(options.connections >= 1, "--connections must be at least 1, got ", options.connections);
  IDML_CHECK(options.max_body_bytes >= 1, "--max-body-mb must be positive");
  IDML_CHECK(options.max_k >= 1, "--max-k must be at least 1, got ", options.max_k);
  state_ = std::make_unique<State>(embedder, preprocessor, index, std::move(model), std::move(options));
  State& s = *state_;
  httplib::Server& http = s.http;

  const size_t connections = static_cast<size_t>(s.options.connections);
  http.new_task_queue = [&s, connections] {
    return new ConnectionPool(connections, [&s] {
      if (s.stop_requested.load() && s.http.is_running()) s.http.stop();
    });
  };
  http.set_idle_interval(0, kIdlePollMicroseconds);
  http.set_socket_options([&s](socket_t sock) {
    listening_socket_options(sock);
    s.listening_socket = sock;  // the last one tried is the one bound
  });
  http.set_tcp_nodelay(true);  // a response's head and body are separate writes: no Nagle wait between them
  http.set_keep_alive_timeout(2);  // an idle kept-alive connection delays a stop by at most this
  http.set_payload_max_length(s.options.max_body_bytes);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"X-Frame-Options", "DENY"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Cache-Control", "no-store"}});

  const AccessPolicy policy{s.options.token, s.options.max_body_bytes};
  http.set_pre_routing_handler([policy](const httplib::Request& req, httplib::Response& res) {
    const RequestHead head = head_of(req);
    const std::optional<Refusal> refusal = check_request(policy, head);
    if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
    if (!refusal->allow.empty()) res.set_header("Allow", refusal->allow);
    if (refusal->status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"idml serve\"");
    set_json_error(res, refusal->status, refusal->message);
    if (declares_body(head)) {
      const std::string json = res.body;
      res.body.clear();
      refuse_and_close(res, refusal->status, json);
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own errors (a malformed request line, a body cut short) get a JSON body too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.content_length_ > 0) return httplib::Server::HandlerResponse::Unhandled;
    set_json_error(res, res.status, library_error_message(res.status));
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    set_json_error(res, 500, "internal error: " + what);
  });
  add_api_routes(http, s.api);
}

Server::~Server() = default;

int Server::bind() {
  State& s = *state_;
  errno = 0;
  const int port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                                       : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  IDML_CHECK(port > 0, "cannot listen on ", s.options.host, ":", s.options.port, ": ",
             errno ? std::strerror(errno) : "the address does not resolve", " (--host, --port)");
  // httplib 0.11 listens with a backlog of 5: a burst of clients connecting
  // at once would see connections reset. Listening again sets a new backlog.
  ::listen(s.listening_socket, SOMAXCONN);
  return port;
}

void Server::serve() {
  IDML_CHECK(state_->http.is_valid(), "serve: the HTTP server could not be set up");
  state_->http.listen_after_bind();
}

void Server::stop() { state_->stop_requested.store(true); }

Batcher& Server::batcher() { return state_->batcher; }

}  // namespace idml::serve
