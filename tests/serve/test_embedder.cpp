// serve/embedder: a query's embedding does not depend on the queries that
// share its forward pass (bit for bit), equals the model's own forward pass
// on that image alone, and a body that is no image is an error naming it.
#include <gtest/gtest.h>

#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/error.h"
#include "models/trained_net.h"
#include "tests/serve/serve_fixture.h"

namespace idml::serve {
namespace {

using testing::file_bytes;
using testing::TinyService;

std::vector<float> inputs_of(const std::vector<size_t>& rows) {
  const ImagePreprocessor preprocess(TinyService::transform());
  std::vector<float> out;
  for (size_t r : rows) {
    const std::vector<float> one = preprocess.from_file(TinyService::get().images[r]);
    out.insert(out.end(), one.begin(), one.end());
  }
  return out;
}

TEST(NetworkEmbedder, AnImageGetsTheSameBitsAloneOrInABatch) {
  NetworkEmbedder embedder(TinyService::get().checkpoint, Device::cpu(), TinyService::kImageSize);
  NoGradGuard no_grad;
  const ConstantParameters constants;  // as in the batcher's thread
  const std::vector<size_t> rows{0, 4, 7, 11, 13, 17};
  const std::vector<ImageEmbedding> batch = embedder.embed(inputs_of(rows), static_cast<int64_t>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    const ImageEmbedding alone = embedder.embed(inputs_of({rows[i]}), 1)[0];
    EXPECT_EQ(batch[i].semantic, alone.semantic) << "row " << rows[i];
    EXPECT_EQ(batch[i].uncertainty, alone.uncertainty) << "row " << rows[i];
    EXPECT_EQ(batch[i].ambiguity, alone.ambiguity) << "row " << rows[i];
  }
}

TEST(NetworkEmbedder, EqualsTheModelsForwardPassOnOneImage) {
  NetworkEmbedder embedder(TinyService::get().checkpoint, Device::cpu(), TinyService::kImageSize);
  const auto net = models::load_trained_net(TinyService::get().checkpoint, Device::cpu());
  net->eval();
  NoGradGuard no_grad;
  const std::vector<float> input = inputs_of({3});
  const ImageEmbedding served = embedder.embed(input, 1)[0];
  const auto model = net->forward(from_vector(input, {1, 3, TinyService::kImageSize, TinyService::kImageSize}));
  EXPECT_EQ(served.semantic, model.semantic.to_vector<float>());
  EXPECT_EQ(served.uncertainty, model.uncertainty.to_vector<float>());
}

TEST(ImagePreprocessor, BytesAndFileGiveTheSameInputAndBadBytesNameTheSource) {
  const ImagePreprocessor preprocess(TinyService::transform());
  const std::string& path = TinyService::get().images[1];
  EXPECT_EQ(preprocess(file_bytes(path), "upload"), preprocess.from_file(path));
  EXPECT_EQ(preprocess.from_file(path).size(), size_t(3 * TinyService::kImageSize * TinyService::kImageSize));
  try {
    preprocess("GIF89a not really", "in upload 7");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot decode image in upload 7"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace idml::serve
