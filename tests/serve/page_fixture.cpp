// The photos and model of the page check (page_check.sh): the first N test
// images of each Fashion-MNIST class (Debian's dataset-fashion-mnist), as
// 112 x 112 JPEG files in one folder per class, and a ResNet-18 with random
// weights (D = 64) for when no trained checkpoint is given.
//   serve_page_fixture OUT_DIR [PER_CLASS]
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "data/dataset_layouts.h"
#include "data/pil_resample.h"
#include "io/atomic_file.h"
#include "train/checkpoint.h"
#include "train/losses/proxy_anchor.h"
#include "train/report/html.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR [PER_CLASS]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const int per_class = argc > 2 ? std::stoi(argv[2]) : 12;
  const char* names[] = {"t-shirt", "trouser", "pullover", "dress", "coat",
                         "sandal",  "shirt",   "sneaker",  "bag",   "ankle-boot"};
  const auto test = idml::data::open_fashion_mnist("", idml::data::Split::Eval, per_class, idml::data::FashionMnistTask::classification);
  std::map<int64_t, int> written;
  for (size_t i = 0; i < test->size(); ++i) {
    const int64_t label = test->label(i);
    const std::filesystem::path dir = out / "photos" / names[label];
    std::filesystem::create_directories(dir);
    const idml::data::Image photo = idml::data::resize_bilinear_pil(test->load(i), 112, 112);
    const std::vector<uint8_t> jpeg = idml::report::encode_jpeg(photo, 92);
    char name[32];
    std::snprintf(name, sizeof name, "%03d.jpg", written[label]++);
    idml::io::write_file_atomically((dir / name).string(), std::string(jpeg.begin(), jpeg.end()));
  }
  idml::models::IDMLNetConfig config;
  config.backbone = "resnet18";
  config.embedding_size = 64;
  idml::Generator gen(0);
  idml::models::IDMLNet net(config, gen);
  idml::train::ProxyAnchor loss(10, 64, {}, gen);
  idml::train::save_model_checkpoint((out / "random_resnet18.safetensors").string(), net, loss, 0,
                                     nlohmann::json::object(), nlohmann::json::object());
  std::printf("wrote %zu photos in %zu classes and random_resnet18.safetensors under %s\n", test->size(), written.size(),
              out.string().c_str());
  return 0;
}
