// serve/: every route of a real server on a loopback port, through a real
// HTTP client: an indexed image finds itself first, /api/embed's vectors are
// unit vectors and its ambiguity is |u| of the network without normalisation,
// ?row= searches with an indexed image, health, thumbnails and the page.
#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "data/decode.h"
#include "engine/autograd.h"
#include "engine/ops.h"
#include "models/trained_net.h"
#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::RunningServer;
using testing::TinyService;

nlohmann::json json_of(const httplib::Result& result) {
  EXPECT_TRUE(result) << httplib::to_string(result.error());
  if (!result) return nlohmann::json();
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << result->body;
  return nlohmann::json::parse(result->body);
}

TEST(ServeApi, AnIndexedImageFindsItselfFirst) {
  RunningServer server;
  const auto client = server.client();
  const TinyService& service = TinyService::get();
  for (size_t row : {size_t(0), size_t(7), service.images.size() - 1}) {
    const auto result = client->Post("/api/search?k=5", file_bytes(service.images[row]), "image/jpeg");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    const nlohmann::json body = json_of(result);
    ASSERT_EQ(body["results"].size(), 5u);
    EXPECT_EQ(body["k"], 5);
    const nlohmann::json& first = body["results"][0];
    EXPECT_EQ(first["rank"], 1);
    EXPECT_EQ(first["row"], row);
    EXPECT_NEAR(first["similarity"].get<double>(), 1.0, 1e-5);
    EXPECT_EQ(first["path"], service.images[row]);
    EXPECT_EQ(first["class"], "class" + std::to_string(row / 6));
    for (size_t r = 1; r < 5; ++r) {
      EXPECT_EQ(body["results"][r]["rank"], r + 1);
      EXPECT_LE(body["results"][r]["similarity"].get<double>(), body["results"][r - 1]["similarity"].get<double>());
    }
    EXPECT_GT(body["ambiguity"].get<double>(), 0.0);
  }
}

TEST(ServeApi, DefaultKIsTenAndRowSearchesWithAnIndexedImage) {
  RunningServer server;
  const auto client = server.client();
  const nlohmann::json by_row = json_of(client->Post("/api/search?row=4", "", "application/octet-stream"));
  ASSERT_EQ(by_row["results"].size(), 10u);
  EXPECT_EQ(by_row["query_row"], 4);
  EXPECT_EQ(by_row["results"][0]["row"], 4);
  // The same as posting that row's file.
  const nlohmann::json by_file =
      json_of(client->Post("/api/search", file_bytes(TinyService::get().images[4]), "image/jpeg"));
  EXPECT_EQ(by_file["results"], by_row["results"]);
  EXPECT_EQ(by_file["ambiguity"], by_row["ambiguity"]);
}

TEST(ServeApi, EmbedGivesUnitVectorsAndTheUncertaintyNormBeforeNormalisation) {
  RunningServer server;
  const std::string& path = TinyService::get().images[9];
  const nlohmann::json body = json_of(server.client()->Post("/api/embed", file_bytes(path), "image/jpeg"));
  const std::vector<float> semantic = body["semantic"].get<std::vector<float>>();
  const std::vector<float> uncertainty = body["uncertainty"].get<std::vector<float>>();
  ASSERT_EQ(semantic.size(), 16u);
  ASSERT_EQ(body["dim"], 16);
  double s2 = 0, u2 = 0;
  for (size_t i = 0; i < 16; ++i) {
    s2 += double(semantic[i]) * semantic[i];
    u2 += double(uncertainty[i]) * uncertainty[i];
  }
  EXPECT_NEAR(s2, 1.0, 1e-5);
  EXPECT_NEAR(u2, 1.0, 1e-5);

  // Independently: the checkpoint's network without l2_norm, on the same input.
  const auto net = models::load_trained_net(TinyService::get().checkpoint, Device::cpu(), models::EmbeddingNorm::none);
  net->eval();
  NoGradGuard no_grad;
  const std::vector<float> input = ImagePreprocessor(TinyService::transform()).from_file(path);
  const auto raw = net->forward(from_vector(input, {1, 3, TinyService::kImageSize, TinyService::kImageSize}));
  const std::vector<float> u = raw.uncertainty.to_vector<float>();
  const std::vector<float> s = l2_normalize(raw.semantic).to_vector<float>();
  double norm = 0;
  for (float x : u) norm += double(x) * x;
  EXPECT_NEAR(body["ambiguity"].get<double>(), std::sqrt(norm), 1e-4 * std::sqrt(norm));
  EXPECT_NE(std::abs(std::sqrt(norm) - 1.0), 0.0);  // not the norm after normalisation
  for (size_t i = 0; i < 16; ++i) EXPECT_NEAR(semantic[i], s[i], 1e-5);
}

TEST(ServeApi, HealthDescribesModelIndexAndLimits) {
  RunningServer server;
  const nlohmann::json h = json_of(server.client()->Get("/api/health"));
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["model"]["backbone"], "resnet18");
  EXPECT_EQ(h["model"]["embedding_size"], 16);
  EXPECT_EQ(h["index"]["size"], 18);
  EXPECT_EQ(h["index"]["dim"], 16);
  EXPECT_EQ(h["index"]["kind"], "exact");
  EXPECT_EQ(h["index"]["ef"], 0);
  EXPECT_EQ(h["device"], "cpu");
  EXPECT_EQ(h["preprocessing"]["image_size"], TinyService::kImageSize);
  EXPECT_EQ(h["limits"]["max_body_bytes"], 20u << 20);
  EXPECT_EQ(h["limits"]["max_k"], 18);  // the index is smaller than --max-k
  EXPECT_EQ(h["token_required"], false);
}

TEST(ServeApi, AnIndexWithAnHnswGraphIsSearchedThroughIt) {
  RunningServer server({}, nullptr, TinyService::get().hnsw_prefix);
  const auto client = server.client();
  const nlohmann::json h = json_of(client->Get("/api/health"));
  EXPECT_EQ(h["index"]["kind"], "hnsw");
  EXPECT_EQ(h["index"]["ef"], search::kDefaultEf);
  // 18 rows, ef 100: the graph's candidates are every row, so its answers are the exact index's.
  RunningServer exact;
  const auto exact_client = exact.client();
  for (size_t row : {size_t(2), size_t(11)}) {
    const std::string image = file_bytes(TinyService::get().images[row]);
    const nlohmann::json found = json_of(client->Post("/api/search?k=18", image, "image/jpeg"));
    ASSERT_EQ(found["results"].size(), 18u) << found.dump();
    EXPECT_EQ(found["results"][0]["row"], row);
    EXPECT_EQ(found["results"], json_of(exact_client->Post("/api/search?k=18", image, "image/jpeg"))["results"]);
  }
}

TEST(ServeApi, ThumbnailIsASmallJpegOfTheIndexedImage) {
  RunningServer server;
  const auto result = server.client()->Get("/api/thumb/3");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "image/jpeg");
  const data::Image thumb = data::decode_image_memory(reinterpret_cast<const uint8_t*>(result->body.data()),
                                                      result->body.size(), "thumbnail");
  const data::Image original = data::decode_image_file(TinyService::get().images[3]);
  EXPECT_EQ(thumb.height, original.height);  // smaller than 160 px: kept as it is
  EXPECT_EQ(thumb.width, original.width);
}

TEST(ServeApi, PageIsSelfContained) {
  RunningServer server;
  const auto result = server.client()->Get("/");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(result->body.find("/api/search"), std::string::npos);
  EXPECT_EQ(result->body.find("http://"), std::string::npos);   // no external script, font or image
  EXPECT_EQ(result->body.find("https://"), std::string::npos);
  EXPECT_EQ(result->body.find("src=\"//"), std::string::npos);
  const std::string policy = result->get_header_value("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos);
}

TEST(ServeApi, HeadOfAGetRouteAnswersWithoutBody) {
  RunningServer server;
  const auto result = server.client()->Head("/api/health");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_TRUE(result->body.empty());
}

}  // namespace
}  // namespace idml::serve
