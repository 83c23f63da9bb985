// `idml serve` as a process: it prints where it listens, answers, and ends
// with status 0 on SIGTERM or SIGINT; its flag and file errors name the flag
// or file and exit 1 before anything listens.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::TinyService;

// `idml serve ARGS`, with its stdout and stderr read through pipes.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args, const std::vector<std::string>& environment = {}) {
    // Everything the child needs is built before fork(): between fork and
    // exec a threaded process may only make async-signal-safe calls.
    args.insert(args.begin(), {IDML_BINARY, "serve"});
    std::vector<std::string> env(environment);
    for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    for (std::string& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      close(out[0]);
      close(err[0]);
      execve(IDML_BINARY, argv.data(), envp.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && status_ < 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
    close(err_);
  }

  // The port of "listening on http://127.0.0.1:PORT/", or 0 if it exits first (2 min at most).
  int port() {
    const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)/");
    for (int waited = 0; waited < 120'000; waited += 100) {
      read_available(out_, stdout_text_, 100);
      std::smatch m;
      if (std::regex_search(stdout_text_, m, listening)) return std::stoi(m[1]);
      if (waitpid(pid_, &status_, WNOHANG) == pid_) return 0;
      status_ = -1;
    }
    return 0;
  }
  // Waits for the process to end; its exit status (or 128 + the signal that killed it).
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    read_available(out_, stdout_text_, 0);
    read_available(err_, stderr_text_, 0);
    return status_;
  }
  void signal(int s) { kill(pid_, s); }
  const std::string& out() const { return stdout_text_; }
  const std::string& err() const { return stderr_text_; }

 private:
  static void read_available(int fd, std::string& text, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    char buffer[4096];
    while (poll(&p, 1, timeout_ms) > 0) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      text.append(buffer, static_cast<size_t>(n));
      timeout_ms = 0;
    }
  }
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1, status_ = -1;
  std::string stdout_text_, stderr_text_;
};

// The weights and preprocessing come from the index's record.
std::vector<std::string> service_args() { return {"--index", TinyService::get().index_prefix, "--port", "0"}; }

TEST(ServeCommand, AnswersThenStopsWithStatusZeroOnSigtermOrSigint) {
  for (int stop : {SIGTERM, SIGINT}) {
    ServeProcess serve(service_args());
    const int port = serve.port();
    ASSERT_GT(port, 0) << serve.out() << serve.err();
    EXPECT_NE(serve.out().find("resnet18 (D = 16) on cpu, 18 images (exact search)"), std::string::npos) << serve.out();
    httplib::Client client("127.0.0.1", port);
    const auto found = client.Post("/api/search?k=2", file_bytes(TinyService::get().images[6]), "image/jpeg");
    ASSERT_TRUE(found);
    ASSERT_EQ(found->status, 200) << found->body;
    EXPECT_EQ(nlohmann::json::parse(found->body)["results"][0]["row"], 6);
    serve.signal(stop);
    EXPECT_EQ(serve.wait(), 0) << serve.err();
    EXPECT_NE(serve.out().find("idml serve: stopped"), std::string::npos) << serve.out();
    EXPECT_NE(serve.err().find("requests in flight are answered"), std::string::npos) << serve.err();
  }
}

TEST(ServeCommand, AnIndexWithoutARecordNeedsTheCheckpointAndSizes) {
  const TinyService& s = TinyService::get();
  ServeProcess serve({"--index", s.legacy_prefix, "--port", "0", "--checkpoint", s.checkpoint, "--image-size",
                      std::to_string(TinyService::kImageSize), "--resize-size", std::to_string(TinyService::kResizeSize)});
  const int port = serve.port();
  ASSERT_GT(port, 0) << serve.err();
  httplib::Client client("127.0.0.1", port);
  const auto found = client.Post("/api/search?k=1", file_bytes(s.images[9]), "image/jpeg");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->status, 200) << found->body;
  EXPECT_EQ(nlohmann::json::parse(found->body)["results"][0]["row"], 9);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(), 0);
  EXPECT_NE(serve.err().find("has no record"), std::string::npos) << serve.err();  // warned
}

TEST(ServeCommand, TheTokenMayComeFromTheEnvironment) {
  ServeProcess serve(service_args(), {"IDML_SERVE_TOKEN=from-the-environment"});
  const int port = serve.port();
  ASSERT_GT(port, 0) << serve.err();
  EXPECT_NE(serve.out().find("(bearer token required)"), std::string::npos);
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/api/health")->status, 401);
  client.set_bearer_token_auth("from-the-environment");
  EXPECT_EQ(client.Get("/api/health")->status, 200);
  serve.signal(SIGTERM);
  EXPECT_EQ(serve.wait(), 0);
}

TEST(ServeCommand, ErrorsNameTheFlagOrFile) {
  const TinyService& s = TinyService::get();
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  // A checkpoint of another embedding size than the index's.
  const std::string other = testing::private_path("d8.safetensors");
  {
    models::IDMLNetConfig config;
    config.backbone = "resnet18";
    config.embedding_size = 8;
    Generator gen(1);
    models::IDMLNet net(config, gen);
    train::ProxyAnchor loss(2, 8, {}, gen);
    train::save_model_checkpoint(other, net, loss, 0, nlohmann::json::object(), nlohmann::json::object());
  }
  const std::vector<Case> cases{
      {{"--index", s.index_prefix, "--host", "0.0.0.0"}, "--host 0.0.0.0 is not a loopback address"},
      {{"--index", s.index_prefix + "_missing"}, s.index_prefix + "_missing.npy does not exist"},
      {{"--checkpoint", s.checkpoint + ".missing", "--index", s.index_prefix}, s.checkpoint + ".missing"},
      {{"--checkpoint", other, "--index", s.index_prefix},
       "--checkpoint " + other + " (sha256 "},  // ... is not the model that embedded --index, naming both
      {{"--checkpoint", other, "--index", s.index_prefix}, s.checkpoint},
      {{"--index", s.index_prefix, "--image-size", "64"}, "was embedded with --image-size 32"},
      {{"--index", s.legacy_prefix}, "has no record of how it was made"},
      {{"--checkpoint", other, "--index", s.legacy_prefix, "--image-size", "32", "--resize-size", "36"},
       "makes 8-d embeddings but --index " + s.legacy_prefix},
      {{"--index", s.index_prefix, "--method", "hnsw"}, "has no HNSW index"},
      {{"--index", s.index_prefix, "--port", "70000"}, "--port"},
      {{"--index", s.index_prefix, "--max-batch", "0"}, "--max-batch"},
      {{"--index", s.index_prefix, "--host", "no-such-host.invalid", "--token", "t"},
       "cannot listen on no-such-host.invalid:8080"},
  };
  for (const Case& c : cases) {
    ServeProcess serve(c.args);
    EXPECT_NE(serve.wait(), 0);
    EXPECT_NE((serve.err() + serve.out()).find(c.expected), std::string::npos)
        << "expected '" << c.expected << "' in:\n" << serve.err() << serve.out();
  }
}

TEST(ServeCommand, APortInUseIsAnError) {
  ServeProcess first(service_args());
  const int port = first.port();
  ASSERT_GT(port, 0);
  std::vector<std::string> args = service_args();
  args[3] = std::to_string(port);  // --port
  ServeProcess second(args);
  EXPECT_EQ(second.wait(), 1);
  EXPECT_NE(second.err().find("cannot listen on 127.0.0.1:" + std::to_string(port) + ": Address already in use"),
            std::string::npos)
      << second.err();
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(), 0);
}

}  // namespace
}  // namespace idml::serve
