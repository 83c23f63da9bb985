// The pieces of the run report: chart ticks and SVG, base64 and JPEG
// thumbnails, the choice of gallery queries, per-class Recall@1, proxy
// margins, and the page of a run directory without a checkpoint.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/decode.h"
#include "engine/error.h"
#include "engine/tensor.h"
#include "train/report/html.h"
#include "train/report/proxy_margin.h"
#include "train/report/report_sections.h"
#include "train/report/retrieval_gallery.h"
#include "train/report/run_report.h"
#include "train/report/svg_chart.h"
#include "tests/private_directory.h"

namespace idml::report {
namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST(Chart, NiceTicksEndExactlyOnRoundNumbers) {
  EXPECT_EQ(nice_ticks(0, 1, 5), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0}));
  const std::vector<double> epochs = nice_ticks(1, 2, 6);
  EXPECT_EQ(epochs.back(), 2.0);  // not 2.0000000000000004
  EXPECT_EQ(nice_ticks(0, 60, 6), (std::vector<double>{0, 10, 20, 30, 40, 50, 60}));
}

TEST(Chart, TickLabelsOfNeighbouringTicksDiffer) {
  const std::vector<double> ticks = nice_ticks(9e-5, 1.1e-4, 5);
  ASSERT_GE(ticks.size(), 3u);
  const double step = ticks[1] - ticks[0];
  for (size_t i = 1; i < ticks.size(); ++i) EXPECT_NE(format_tick(ticks[i - 1], step), format_tick(ticks[i], step));
  EXPECT_EQ(format_tick(0.25, 0.05), "0.25");
  EXPECT_EQ(format_tick(40, 10), "40");
}

TEST(Chart, LineChartDrawsEverySeriesTheMarkerAndEscapesText) {
  ChartOptions options;
  options.title = "R@1 <eval>";
  options.marker_x = 2;
  const std::string svg = line_chart_svg({{"eval", "#00f", {1, 2, 3}, {50, 60, 55}}, {"seen", "#f80", {1, 2, 3}, {40, 45, 50}}},
                                         options);
  EXPECT_EQ(count_of(svg, "<polyline"), 2u);
  EXPECT_EQ(count_of(svg, "<circle"), 6u);
  EXPECT_EQ(count_of(svg, "class=\"marker\""), 1u);
  EXPECT_NE(svg.find("R@1 &lt;eval&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<eval>"), std::string::npos);
}

TEST(Chart, HistogramCountsClampToTheEndBins) {
  EXPECT_EQ(histogram_counts({-5, 0, 0.1, 0.5, 0.99, 1.0, 7}, 0, 1, 4), (std::vector<int>{3, 0, 1, 3}));
}

TEST(Html, Base64MatchesRfc4648) {
  auto encode = [](const std::string& s) { return base64_encode(std::vector<uint8_t>(s.begin(), s.end())); };
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
}

TEST(Html, ThumbnailIsAJpegOfTheShrunkImage) {
  data::Image image(200, 300);
  for (size_t i = 0; i < image.pixels.size(); i += 3) image.pixels[i] = 200, image.pixels[i + 1] = 40, image.pixels[i + 2] = 90;
  const data::Image small = thumbnail(image, 96);
  EXPECT_EQ(small.width, 96);
  EXPECT_EQ(small.height, 64);
  const std::vector<uint8_t> jpeg = encode_jpeg(small);
  const data::Image decoded = data::decode_image_memory(jpeg.data(), jpeg.size(), "thumbnail");
  EXPECT_EQ(decoded.width, 96);
  EXPECT_EQ(decoded.height, 64);
  EXPECT_NEAR(decoded.pixels[0], 200, 4);
  EXPECT_NEAR(decoded.pixels[1], 40, 4);
  EXPECT_EQ(jpeg_data_uri(image, 96).rfind("data:image/jpeg;base64,/9j/", 0), 0u);  // FF D8 FF: a JPEG
}

// 6 points, 3 classes; neighbours by hand.
metrics::NearestNeighbours toy_neighbours() {
  metrics::NearestNeighbours knn;
  knn.n = 6;
  knn.k = 2;
  knn.indices = {1, 2, /**/ 0, 3, /**/ 4, 0, /**/ 2, 5, /**/ 5, 1, /**/ 4, 3};
  knn.similarities = {0.9f, 0.5f, 0.9f, 0.4f, 0.8f, 0.3f, 0.7f, 0.2f, 0.95f, 0.1f, 0.95f, 0.5f};
  return knn;
}
const std::vector<int64_t> kToyLabels = {0, 0, 1, 1, 2, 2};
metrics::RelevanceLabels toy_labels() { return metrics::leave_one_out_labels(kToyLabels.data(), 6); }

TEST(Gallery, PerClassRecallAtOne) {
  const RetrievalAnalysis a = analyse_retrieval(toy_neighbours(), toy_labels(), 0, 0, 0);
  ASSERT_EQ(a.classes.size(), 3u);
  EXPECT_EQ(a.classes[0].recall_at_1, 1.0);  // 0 -> 1, 1 -> 0
  EXPECT_EQ(a.classes[1].recall_at_1, 0.5);  // 2 -> 4 a miss, 3 -> 2 a hit
  EXPECT_EQ(a.classes[2].recall_at_1, 1.0);  // 4 -> 5, 5 -> 4
  EXPECT_EQ(a.classes[1].queries, 2);
}

TEST(Gallery, QueriesAmongAGalleryUseTheGalleryLabels) {
  // 3 queries (classes 0, 1, 0) searched among 4 gallery samples (classes 1, 0, 0, 2): the
  // neighbour indices are gallery rows, so the same lists score differently than leave-one-out.
  metrics::NearestNeighbours knn;
  knn.n = 3;
  knn.k = 2;
  knn.indices = {1, 0, /**/ 3, 0, /**/ 0, 2};
  knn.similarities = {0.9f, 0.5f, 0.8f, 0.7f, 0.6f, 0.4f};
  const std::vector<int64_t> queries = {0, 1, 0}, gallery = {1, 0, 0, 2};
  const RetrievalAnalysis a =
      analyse_retrieval(knn, metrics::query_gallery_labels(queries.data(), 3, gallery.data(), 4), 0, 8, 0);
  ASSERT_EQ(a.classes.size(), 2u);
  EXPECT_EQ(a.classes[0].recall_at_1, 0.5);  // query 0 -> gallery 1 (class 0) a hit, query 2 -> gallery 0 a miss
  EXPECT_EQ(a.classes[1].recall_at_1, 0.0);  // query 1 -> gallery 3 (class 2)
  ASSERT_EQ(a.queries.size(), 2u);
  // Both failures have one same-class gallery sample in their top 2: the more confident wrong first neighbour first.
  EXPECT_EQ(a.queries[0].query, 1);  // 0.8
  EXPECT_EQ(a.queries[1].query, 2);  // 0.6
}

TEST(Gallery, WorstFailuresComeFirstThenASeededSample) {
  const RetrievalAnalysis a = analyse_retrieval(toy_neighbours(), toy_labels(), 3, 8, 7);
  // Failures: 2 (first neighbour 4, no same class in top 2). Only one exists.
  ASSERT_GE(a.queries.size(), 1u);
  EXPECT_EQ(a.queries[0].query, 2);
  EXPECT_TRUE(a.queries[0].worst);
  ASSERT_EQ(a.queries.size(), 4u);
  for (size_t i = 1; i < a.queries.size(); ++i) {
    EXPECT_FALSE(a.queries[i].worst);
    EXPECT_NE(a.queries[i].query, 2);
  }
  const RetrievalAnalysis again = analyse_retrieval(toy_neighbours(), toy_labels(), 3, 8, 7);
  for (size_t i = 0; i < a.queries.size(); ++i) EXPECT_EQ(a.queries[i].query, again.queries[i].query);
}

TEST(Gallery, HardestClassesAreTheLowestRecall) {
  const std::vector<ClassRecall> hardest = hardest_classes({{0, 5, 0.8}, {1, 5, 0.2}, {2, 9, 0.2}, {3, 1, 1.0}}, 2);
  ASSERT_EQ(hardest.size(), 2u);
  EXPECT_EQ(hardest[0].label, 2);  // same recall: the larger class first
  EXPECT_EQ(hardest[1].label, 1);
}

TEST(ProxyMargin, CosineMarginIsTrueMinusBestOther) {
  const Tensor proxies = from_vector<float>({1, 0, 0, 1, -1, 0}, {3, 2});
  const std::vector<float> s = {1, 0, 0, 2};
  const std::vector<float> u = {0, 0, 0, 0};
  const std::vector<double> m = proxy_margins(s, u, 2, 2, {0, 0}, proxies, "cosine");
  EXPECT_NEAR(m[0], 1.0, 1e-6);   // cos 1 vs best other 0
  EXPECT_NEAR(m[1], -1.0, 1e-6);  // cos 0 vs proxy 1's 1
}

TEST(ProxyMargin, IsmUsesTheIntrospectiveSimilarity) {
  const Tensor proxies = from_vector<float>({1, 0, 0, 1}, {2, 2});
  const std::vector<float> s = {0.6f, 0.8f};
  const std::vector<float> u = {0.5f, 0.5f};
  // sim = 1 - (1 - cos0) exp(-(|u|^2 + 4) / (5 d_s)), d_s = |s - p|^2
  auto ism = [](double cos0, double d_s) { return 1 - (1 - cos0) * std::exp(-(0.5 + 4) / (5 * d_s)); };
  const double expected = ism(0.6, 0.16 + 0.64) - ism(0.8, 0.36 + 0.04);
  EXPECT_NEAR(proxy_margins(s, u, 1, 2, {0}, proxies, "ism")[0], expected, 1e-5);
  EXPECT_THROW(proxy_margins(s, u, 1, 2, {2}, proxies, "ism"), Error);  // no proxy for label 2
}

class RunDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = idml::testing::fresh_directory("report_run").string();
    std::ofstream(dir_ + "/config.json") << R"({"dataset": "cub", "model": "resnet50", "embedding_size": 512,
      "epochs": 3, "command_line": "idml train --dataset cub"})";
    std::ofstream(dir_ + "/metrics.jsonl")
        << R"({"event":"eval","epoch":-1,"eval":{"R@1":0.25,"NMI":0.5}})" "\n"
        << R"({"event":"epoch","epoch":0,"loss":3.5,"lr":0.0001,"images_per_second":12.5,"eval":{"R@1":0.375,"NMI":0.625}})" "\n"
        << R"({"event":"epoch","epoch":1,"loss":2.25,"lr":0.0001,"images_per_second":13.0,"eval":{"R@1":0.3,"NMI":0.7}})" "\n"
        << R"({"event":"epoch","epo)";  // a line being written right now
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(RunDirectory, RecordsSkipAHalfWrittenLastLine) {
  const RunRecords records = read_run_records(dir_);
  EXPECT_EQ(records.evals.size(), 1u);
  EXPECT_EQ(records.epochs.size(), 2u);
  EXPECT_EQ(best_epoch_of(records), 0);
  EXPECT_EQ(metric_names(records), (std::vector<std::string>{"R@1", "NMI"}));
}

TEST_F(RunDirectory, PageWithoutACheckpointHasEverySectionAndTheExactNumbers) {
  const std::string out = write_run_report(dir_);
  std::ifstream in(out);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* id : {"config", "curves", "epochs", "gallery", "classes", "margins"})
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(html.find("idml train --dataset cub"), std::string::npos);
  EXPECT_NE(html.find("data-epoch=\"0\" data-key=\"eval.R@1\" data-value=\"0.375\""), std::string::npos);
  EXPECT_NE(html.find("data-epoch=\"1\" data-key=\"loss\" data-value=\"2.25\""), std::string::npos);
  EXPECT_NE(html.find("No best checkpoint yet"), std::string::npos);
  EXPECT_EQ(count_of(html, "<svg"), 5u);  // loss, lr, img/s, R@1, NMI
}

// A pair-based loss has no proxies: no proxy-margin section and no link to one.
TEST_F(RunDirectory, PageOfAPairBasedLossHasNoProxyMargins) {
  std::ofstream(dir_ + "/config.json") << R"({"dataset": "cub", "loss": "MS", "command_line": "idml train --loss MS"})";
  const std::string out = write_run_report(dir_);
  std::ifstream in(out);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("id=\"classes\""), std::string::npos);
  EXPECT_EQ(html.find("margins"), std::string::npos);
}

TEST(RunReport, MissingRunDirectoryAndConfigAreClearErrors) {
  try {
    read_run_records("/nonexistent/run");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/run does not exist"), std::string::npos) << e.what();
  }
  const std::string empty = idml::testing::private_path("report_empty");
  std::filesystem::create_directories(empty);
  try {
    read_run_records(empty);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no config.json"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace idml::report
