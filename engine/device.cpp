// Parsing of device names ("cpu", "cuda", "cuda:1").
#include "engine/device.h"

#include "engine/error.h"

namespace idml {

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return Device::cuda(0);
  if (text.rfind("cuda:", 0) == 0) {
    const std::string number = text.substr(5);
    IDML_CHECK(!number.empty() && number.find_first_not_of("0123456789") == std::string::npos,
               "bad device '", text, "': expected cpu, cuda or cuda:N");
    return Device::cuda(std::stoi(number));
  }
  throw Error("bad device '" + text + "': expected cpu, cuda or cuda:N");
}

}  // namespace idml
