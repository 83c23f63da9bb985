// `idml train --dataset Inshop` on a miniature In-shop layout (tests/train/inshop_layout.h):
// the run evaluates the queries among the gallery every epoch with the
// Proxy-Anchor code's Recall@K list, writes them to metrics.jsonl and the
// best-results file, its best checkpoint scores the same when evaluated
// again, and the report shows queries with gallery neighbours.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "models/trained_net.h"
#include "train/trainer.h"
#include "tests/train/inshop_layout.h"
#include "tests/train/tiny_run.h"

namespace idml::train {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(InshopRun, EvaluatesQueriesAmongTheGalleryEveryEpoch) {
  const testing::InshopLayout layout = testing::make_inshop_layout(testing::fresh_directory("inshop_data"));
  TrainConfig c = testing::tiny_config(testing::fresh_directory("inshop_logs"));
  c.dataset = data::DatasetId::Inshop;
  c.data_root = layout.root;
  c.per_class_cap = 0;
  c.epochs = 1;
  c.warm = 0;
  const TrainSummary summary = run_training(c);

  // metrics.jsonl: the epoch line holds the In-shop Recall@K list, RP, MAP@R, NMI and F1 of the queries.
  std::ifstream log(summary.run_directory + "/metrics.jsonl");
  nlohmann::json epoch;
  for (std::string line; std::getline(log, line);)
    if (line.find("\"event\":\"epoch\"") != std::string::npos) epoch = nlohmann::json::parse(line);
  ASSERT_TRUE(epoch.contains("eval")) << "no evaluated epoch line";
  std::set<std::string> keys;
  for (const auto& item : epoch["eval"].items()) keys.insert(item.key());
  EXPECT_EQ(keys, (std::set<std::string>{"R@1", "R@10", "R@20", "R@30", "R@40", "R@50", "NMI", "F1", "RP", "MAP@R"}));
  EXPECT_FALSE(epoch.contains("seen"));
  EXPECT_EQ(epoch["eval"]["R@50"].get<double>(), 1.0) << "K beyond the 8 gallery images: every query's item is there";

  // The reference's best-results file lists the same Ks.
  const std::string best = read_text(summary.run_directory + "/Inshop_resnet18_best_results.txt");
  for (const char* k : {"1", "10", "20", "30", "40", "50"})
    EXPECT_NE(best.find(std::string("Best Recall@") + k + ": "), std::string::npos) << best;

  // The best checkpoint, evaluated again on the queries and the gallery, scores what the run logged.
  const auto net = models::load_trained_net(summary.run_directory + "/Inshop_resnet18_best.safetensors", Device::cpu());
  data::DatasetOptions options;
  options.name = "Inshop";
  options.root = layout.root;
  const RetrievalSplits splits = open_eval_splits(options);
  ASSERT_TRUE(splits.gallery);
  EXPECT_EQ(splits.queries->size(), static_cast<size_t>(layout.query_images));
  EXPECT_EQ(splits.gallery->size(), static_cast<size_t>(layout.gallery_images));
  data::TransformOptions sizes;
  sizes.image_size = sizes.resize_size = 32;
  const data::EvalTransform transform(sizes);
  const EmbedOptions embed_options{8, 1, Device::cpu()};
  const metrics::EvaluationResult again = evaluate_splits(
      splits, [&](const data::Dataset& d) { return compute_embeddings(*net, d, transform, embed_options); },
      evaluation_options(c, Device::cpu()));
  for (const auto& [name, value] : again.metrics) EXPECT_EQ(value, epoch["eval"][name].get<double>()) << name;
  EXPECT_EQ(again.per_class.size(), 4u) << "one Recall@1 per query item";

  const std::string report = read_text(summary.run_directory + "/report.html");
  EXPECT_NE(report.find("queries searched among the gallery"), std::string::npos);
  EXPECT_NE(report.find("<h2 id=\"classes\">"), std::string::npos);
}

}  // namespace
}  // namespace idml::train
