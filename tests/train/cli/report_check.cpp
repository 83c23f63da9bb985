// report_check REPORT.html METRICS.jsonl: the structure of a run report, for
// the CLI workflow test. Checks that every section is present, that every
// embedded image decodes as a JPEG, that the command line is recorded, and
// that every number of metrics.jsonl's epoch lines is in the epoch table
// with exactly its value. Prints what fails; exit status 1 if anything does.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "data/decode.h"
#include "engine/error.h"

namespace {

int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cout << "report_check: FAILED: " << what << "\n";
    ++failures;
  }
}

std::vector<uint8_t> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::vector<uint8_t> out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) break;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if ((count += 6) >= 8) out.push_back(static_cast<uint8_t>(bits >> (count -= 8)));
  }
  return out;
}

std::string exact(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: report_check REPORT.html METRICS.jsonl\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string html = buffer.str();
  expect(!html.empty(), std::string("cannot read ") + argv[1]);
  for (const char* id : {"config", "curves", "epochs", "gallery", "classes", "margins"})
    expect(html.find(std::string("<h2 id=\"") + id + "\"") != std::string::npos, std::string("section #") + id);
  expect(html.find("No best checkpoint yet") == std::string::npos, "the run has a best checkpoint: gallery shown");
  expect(html.find("<pre class=\"command\">") != std::string::npos &&
             html.find("(command line not recorded)") == std::string::npos,
         "the command line is recorded");
  expect(html.find("<script") == std::string::npos && html.find("http://") == html.find("http://www.w3.org"),
         "no script, no network");

  const std::string marker = "data:image/jpeg;base64,";
  int images = 0;
  for (size_t at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
    const size_t begin = at + marker.size(), end = html.find('"', begin);
    const std::vector<uint8_t> jpeg = base64_decode(html.substr(begin, end - begin));
    try {
      const idml::data::Image image = idml::data::decode_image_memory(jpeg.data(), jpeg.size(), "image");
      expect(image.width > 0 && image.height > 0, "image " + std::to_string(images) + " is empty");
    } catch (const idml::Error& e) {
      expect(false, "image " + std::to_string(images) + " does not decode: " + e.what());
    }
    ++images;
  }
  expect(images >= 9, "the gallery holds at least one query and 8 neighbours (" + std::to_string(images) + " images)");

  std::ifstream metrics(argv[2]);
  int numbers = 0;
  for (std::string line; std::getline(metrics, line);) {
    const nlohmann::json r = nlohmann::json::parse(line);
    if (r.value("event", "") != "epoch") continue;
    const std::string epoch = std::to_string(r["epoch"].get<int64_t>());
    auto check = [&](const std::string& key, double value) {
      const std::string cell = "data-epoch=\"" + epoch + "\" data-key=\"" + key + "\" data-value=\"" + exact(value) + "\"";
      expect(html.find(cell) != std::string::npos, "epoch " + epoch + " " + key + " = " + exact(value));
      ++numbers;
    };
    for (const char* key : {"loss", "lr", "images_per_second"}) check(key, r[key].get<double>());
    for (const char* split : {"eval", "seen"})
      if (r.contains(split))
        for (const auto& item : r[split].items()) check(std::string(split) + "." + item.key(), item.value().get<double>());
  }
  expect(numbers > 3, "metrics.jsonl has epoch lines with metrics");
  std::cout << "report_check: " << images << " images, " << numbers << " numbers, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
