// The checkpoint sections of the report: the best model embeds the eval split,
// or In-shop's queries and gallery (retrieval gallery, per-class Recall@1), and
// training-class images (proxy margins).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "data/dataset.h"
#include "data/dataset_catalog.h"
#include "data/transforms.h"
#include "engine/error.h"
#include "models/idml_net.h"
#include "models/trained_net.h"
#include "nn/init.h"
#include "nn/weights/safetensors.h"
#include "train/evaluation.h"
#include "train/metrics/nearest_neighbours.h"
#include "train/report/html.h"
#include "train/report/proxy_margin.h"
#include "train/report/report_sections.h"
#include "train/report/retrieval_gallery.h"
#include "train/report/svg_chart.h"
#include "train/train_config.h"

namespace idml::report {
namespace {

// Every `step`-th sample of another dataset (a deterministic, evenly spread subset).
class EverySampleOf : public data::Dataset {
 public:
  EverySampleOf(const data::Dataset& base, size_t count) : base_(base) {
    const size_t step = std::max<size_t>(1, base.size() / std::max<size_t>(1, count));
    for (size_t i = 0; i < base.size() && indices_.size() < count; i += step) indices_.push_back(i);
  }
  size_t size() const override { return indices_.size(); }
  int64_t label(size_t i) const override { return base_.label(indices_.at(i)); }
  data::Image load(size_t i) const override { return base_.load(indices_.at(i)); }
  std::string source(size_t i) const override { return base_.source(indices_.at(i)); }

 private:
  const data::Dataset& base_;
  std::vector<size_t> indices_;
};

// A readable class name: Fashion-MNIST's names, the class folder for CUB and
// folder datasets, the item folder (id_00000002) for In-shop, else the label.
std::string class_name(const std::string& dataset_name, const data::Dataset& dataset, size_t i) {
  static const char* fashion[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  const int64_t label = dataset.label(i);
  if (dataset_name == "fashion-mnist" && label >= 0 && label < 10) return fashion[label];
  if (dataset_name == "cub" || dataset_name == "folder" || dataset_name == "Inshop")
    return std::filesystem::path(dataset.source(i)).parent_path().filename().string();
  return "class " + std::to_string(label);
}

std::string percent(double fraction, int decimals = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, 100.0 * fraction);
  return text;
}

std::string cell(const std::string& css, const std::string& image_uri, const std::string& name,
                 const std::string& detail) {
  return "<div class=\"cell " + css + "\"><img alt=\"\" src=\"" + image_uri + "\"><div class=\"n\" title=\"" +
         html_escape(name) + "\">" + html_escape(name) + "</div><div>" + html_escape(detail) + "</div></div>";
}

// The queries' rows with their neighbours; `references` holds the neighbours (the eval split itself, or the gallery).
std::string gallery_html(const std::string& dataset_name, const data::Dataset& queries,
                         const data::Dataset& references, const metrics::NearestNeighbours& knn,
                         const metrics::RelevanceLabels& labels, const RetrievalAnalysis& analysis,
                         const ReportOptions& options) {
  const bool separate_gallery = &queries != &references;
  std::ostringstream html;
  html << "<h2 id=\"gallery\">Retrieval gallery (best checkpoint, "
       << (separate_gallery ? "queries searched among the gallery" : "eval split") << ")</h2>\n"
          "<p class=\"note legend\"><span><b style=\"color:#3566c8\">blue</b>: query</span><span><b style=\"color:"
          "#2a9d3a\">green</b>: same class</span><span><b style=\"color:#d0302f\">red</b>: another class</span>"
          "<span>below each neighbour: its class and cosine similarity to the query</span></p>\n";
  bool worst_heading = false, random_heading = false;
  for (const GalleryQuery& q : analysis.queries) {
    if (q.worst && !worst_heading) {
      html << "<h3>The worst failures (first neighbour of another class)</h3>\n";
      worst_heading = true;
    }
    if (!q.worst && !random_heading) {
      html << "<h3>Random queries (seed " << options.seed << ")</h3>\n";
      random_heading = true;
    }
    const size_t qi = static_cast<size_t>(q.query);
    html << "<div class=\"row\">"
         << cell("q", jpeg_data_uri(queries.load(qi), options.thumbnail_size), class_name(dataset_name, queries, qi),
                 "query #" + std::to_string(q.query))
         << "<div class=\"gap\"></div>";
    for (int64_t r = 0; r < knn.k; ++r) {
      const int64_t j = knn.neighbours_of(q.query)[r];
      char similarity[32];
      std::snprintf(similarity, sizeof similarity, "%.3f", knn.similarities[static_cast<size_t>(q.query * knn.k + r)]);
      html << cell(labels.reference[j] == labels.query[q.query] ? "hit" : "miss",
                   jpeg_data_uri(references.load(static_cast<size_t>(j)), options.thumbnail_size),
                   class_name(dataset_name, references, static_cast<size_t>(j)), similarity);
    }
    html << "</div>\n";
  }
  return html.str();
}

std::string classes_html(const std::string& dataset_name, const data::Dataset& eval,
                         const RetrievalAnalysis& analysis) {
  std::vector<double> recalls;
  double weighted = 0;
  int64_t queries = 0;
  for (const ClassRecall& c : analysis.classes) {
    recalls.push_back(100.0 * c.recall_at_1);
    weighted += c.recall_at_1 * c.queries;
    queries += c.queries;
  }
  HistogramOptions options;
  options.title = "classes by Recall@1";
  options.x_label = "Recall@1 of the class (%)";
  options.lo = 0, options.hi = 100, options.bins = 20;
  std::ostringstream html;
  html << "<h2 id=\"classes\">Per-class Recall@1</h2>\n<div class=\"charts\">" << histogram_svg(recalls, options)
       << "<div><table class=\"hardest\"><tr><th class=\"l\">hardest classes</th><th>R@1 %</th><th>queries</th></tr>";
  std::map<int64_t, size_t> first_sample;  // label -> a sample of it, for the class name
  for (size_t i = eval.size(); i-- > 0;) first_sample[eval.label(i)] = i;
  for (const ClassRecall& c : hardest_classes(analysis.classes, 10))
    html << "<tr><td class=\"l\">" << html_escape(class_name(dataset_name, eval, first_sample[c.label])) << "</td><td>"
         << percent(c.recall_at_1) << "</td><td>" << c.queries << "</td></tr>";
  html << "</table></div></div>\n<p class=\"note\">" << analysis.classes.size() << " classes; the mean over queries ("
       << percent(queries ? weighted / queries : 0, 2) << "%) is the R@1 of the checkpoint.</p>\n";
  return html.str();
}

std::string margins_html(const std::vector<double>& margins, const std::string& split, const std::string& metric) {
  std::ostringstream html;
  html << "<h2 id=\"margins\">Proxy margins (" << (metric == "cosine" ? "cosine" : "ISM") << ")</h2>\n";
  if (margins.empty()) return html.str() + "<p class=\"note\">No image of the training classes to measure.</p>\n";
  std::vector<double> sorted = margins;
  std::sort(sorted.begin(), sorted.end());
  const double positive = static_cast<double>(std::count_if(margins.begin(), margins.end(), [](double m) { return m > 0; }));
  HistogramOptions options;
  options.title = "sim(true proxy) - max sim(other proxy)";
  options.x_label = "margin";
  const double span = std::max(0.05, std::max(std::abs(sorted.front()), std::abs(sorted.back())));
  options.lo = std::min(0.0, sorted.front()) - 0.02 * span;
  options.hi = std::max(0.0, sorted.back()) + 0.02 * span;
  options.bins = 30;
  options.marker_x = 0;
  html << "<div class=\"charts\">" << histogram_svg(margins, options) << "</div>\n<p class=\"note\">" << margins.size()
       << " images of the training classes (" << html_escape(split) << "); " << percent(positive / margins.size())
       << "% lie closer to their own proxy than to any other (margin &gt; 0); median margin "
       << format_tick(sorted[sorted.size() / 2], 0.001) << ".</p>\n";
  return html.str();
}

// The eval queries' nearest neighbours among the points they are searched in.
struct EvalNeighbours {
  train::Embeddings queries, gallery;  // gallery: empty when the queries search among themselves
  metrics::NearestNeighbours knn;
  metrics::RelevanceLabels labels;     // points into queries.labels and gallery.labels
};

std::unique_ptr<EvalNeighbours> eval_neighbours(models::IDMLNet& net, const train::RetrievalSplits& eval,
                                                const data::Transform& transform,
                                                const train::EmbedOptions& embed_options, int64_t neighbours) {
  auto out = std::make_unique<EvalNeighbours>();
  train::Embeddings& q = out->queries;
  train::Embeddings& g = out->gallery;
  q = train::compute_embeddings(net, *eval.queries, transform, embed_options);
  if (eval.gallery) g = train::compute_embeddings(net, *eval.gallery, transform, embed_options);
  std::vector<float> query_points = q.semantic, gallery_points = g.semantic;
  metrics::l2_normalize(query_points.data(), q.count, q.dim);
  metrics::l2_normalize(gallery_points.data(), g.count, g.dim);
  if (eval.gallery) {
    out->knn = metrics::nearest_neighbours_among(query_points.data(), q.count, gallery_points.data(), g.count, q.dim,
                                                 std::min(neighbours, g.count));
    out->labels = metrics::query_gallery_labels(q.labels.data(), q.count, g.labels.data(), g.count);
  } else {
    IDML_CHECK(q.count >= 2, "report: the eval split has fewer than 2 images");
    out->knn = metrics::nearest_neighbours(query_points.data(), q.count, q.dim, std::min(neighbours, q.count - 1));
    out->labels = metrics::leave_one_out_labels(q.labels.data(), q.count);
  }
  return out;
}

}  // namespace

bool run_has_proxies(const nlohmann::json& config) {
  // Only the loss is read: configurations written before --loss had choices hold Proxy_Anchor.
  const std::string loss = config.is_object() ? config.value("loss", std::string("Proxy_Anchor")) : "Proxy_Anchor";
  return train::loss_has_proxies(train::parse_choice<train::LossKind>(loss, "config.json loss"));
}

std::string no_checkpoint_sections(const nlohmann::json& config) {
  return std::string("<h2 id=\"gallery\">Retrieval gallery</h2><p class=\"note\">No best checkpoint yet (no evaluation "
                     "has run).</p>\n<h2 id=\"classes\">Per-class Recall@1</h2><p class=\"note\">-</p>\n") +
         (run_has_proxies(config) ? "<h2 id=\"margins\">Proxy margins</h2><p class=\"note\">-</p>\n" : "");
}

std::string checkpoint_sections(const nlohmann::json& config_json, const std::string& checkpoint,
                                const ReportOptions& options) {
  const train::TrainConfig config = train::config_from_json(config_json);
  const weights::StateDict file = weights::load_safetensors(checkpoint);
  const weights::StateDict dict = models::model_weights(file);
  models::IDMLNetConfig net_config{models::infer_backbone(dict, checkpoint), models::infer_embedding_size(dict, checkpoint),
                                   config.l2_norm, config.bn_freeze};
  models::IDMLNet net(net_config, nn::ParameterInit::skip());  // no draws: the load overwrites every parameter
  net.load_state_dict(dict);
  net.to(options.device);

  data::DatasetOptions data_options;
  const data::DatasetInfo& dataset = data::dataset_info(config.dataset);
  data_options.name = dataset.name;
  data_options.root = config.data_root;
  data_options.train_classes = config.train_classes;
  data_options.per_class_cap = config.per_class_cap;
  const train::RetrievalSplits eval = train::open_eval_splits(data_options);
  data::TransformOptions transform_options;
  transform_options.image_size = config.image_size;
  transform_options.resize_size = config.resize_size;
  const data::EvalTransform transform(transform_options);
  const train::EmbedOptions embed_options{options.batch_size, options.workers, options.device};

  const data::Dataset& references = eval.gallery ? *eval.gallery : *eval.queries;
  const auto found = eval_neighbours(net, eval, transform, embed_options, options.neighbours);
  const RetrievalAnalysis analysis =
      analyse_retrieval(found->knn, found->labels, options.random_queries, options.worst_queries, options.seed);

  std::string html = gallery_html(dataset.name, *eval.queries, references, found->knn, found->labels, analysis, options);
  html += classes_html(dataset.name, *eval.queries, analysis);

  if (!file.count("proxies")) return html;  // a pair-based loss: no proxies, no margins
  std::vector<double> margins;
  std::string margin_split;
  {
    // the training classes: held-out images of them (seen) where the dataset has such a split
    data_options.split = data::has_split(dataset, data::Split::Seen) ? data::Split::Seen : data::Split::Train;
    const auto base = data::open_dataset(data_options);
    const EverySampleOf sample(*base, static_cast<size_t>(options.margin_samples));
    const size_t step = std::max<size_t>(1, base->size() / std::max<size_t>(1, sample.size()));
    margin_split = std::string(data::split_name(data_options.split)) + " split, " +
                   (step == 1 ? std::string("every image") : "every " + std::to_string(step) + "-th image");
    const train::Embeddings t = train::compute_embeddings(net, sample, transform, embed_options);
    margins = proxy_margins(t.semantic, t.uncertainty, t.count, t.dim, t.labels, file.at("proxies"),
                            train::metric_name(config.metric));
  }
  html += margins_html(margins, margin_split, train::metric_name(config.metric));
  return html;
}

}  // namespace idml::report
