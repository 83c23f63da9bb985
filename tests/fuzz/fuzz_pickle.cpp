// libFuzzer target: the pickle VM alone (memo, marks, containers, cycles),
// with torch's hooks and storages that always exist.
#include "fuzz_input.h"
#include "io/pickle.h"
#include "nn/weights/torch_pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace idml::weights;
  namespace io = idml::io;
  auto storage = [](const std::string&, io::FileDType dtype, uint64_t numel) -> std::shared_ptr<io::RawStorage> {
    IDML_CHECK(numel <= 1024, "fuzz: storage of ", numel, " elements");
    auto s = std::make_shared<io::RawStorage>();
    const size_t size = static_cast<size_t>(numel) * io::file_dtype_size(dtype);
    s->bytes.buffer = std::make_shared<const io::Bytes>(size, 0);
    s->bytes.size = size;
    return s;
  };
  size_t used = 0;
  idml::fuzz::expect_clean(
      [&] { io::unpickle(data, size, &used, torch_unpickle_hooks("fuzz.pkl", storage), "fuzz.pkl"); });
  return 0;
}
