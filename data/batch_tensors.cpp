// Batch -> tensors; see batch_tensors.h.
#include "data/batch_tensors.h"

#include "engine/error.h"

namespace idml::data {

BatchTensors to_tensors(const Batch& batch, Device device) {
  const Shape image_shape{batch.size, batch.channels, batch.height, batch.width};
  IDML_CHECK(static_cast<int64_t>(batch.images.size()) == shape_numel(image_shape) &&
                 static_cast<int64_t>(batch.labels.size()) == batch.size,
             "to_tensors: batch of ", batch.size, " holds ", batch.images.size(), " floats for images of shape ",
             shape_str(image_shape), " and ", batch.labels.size(), " labels");
  BatchTensors out;
  out.images = from_host(batch.images.data(), image_shape, DType::Float32, device);
  out.labels = from_vector<int64_t>(batch.labels, {batch.size}, device);
  return out;
}

}  // namespace idml::data
