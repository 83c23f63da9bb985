// Decoding: PNG variants bit-exact with PIL's convert("RGB"), JPEG (baseline,
// progressive, grey) within the tolerance of two different IDCTs, and every
// bad input an idml::Error naming the file, never a crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <sstream>

#include "data/decode.h"
#include "engine/error.h"
#include "golden_cases.h"

namespace idml::data {
namespace {

using testing::golden_path;

TEST(Decode, MatchesPillowConvertRgb) {
  const auto cases = testing::golden_lines("decode");
  ASSERT_GE(cases.size(), 7u);
  for (const auto& line : cases) {
    std::istringstream words(line);
    std::string input, result;
    int tolerance;
    words >> input >> result >> tolerance;
    const Image image = decode_image_file(golden_path(input));
    const std::vector<uint8_t> want = testing::read_u8(result);
    ASSERT_EQ(image.pixels.size(), want.size()) << line;
    int worst = 0;
    double total = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      const int d = std::abs(image.pixels[i] - want[i]);
      worst = std::max(worst, d);
      total += d;
    }
    EXPECT_LE(worst, tolerance) << line;
    EXPECT_LE(total / want.size(), tolerance == 0 ? 0.0 : 0.25) << line << " (mean abs difference)";
  }
}

// Expects an idml::Error whose message contains `name`.
void expect_error_naming(const std::vector<uint8_t>& bytes, const std::string& name) {
  try {
    decode_image_memory(bytes.data(), bytes.size(), name);
    FAIL() << "decoded " << bytes.size() << " bytes of " << name;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(Decode, TruncatedFilesAreErrorsNamingTheFile) {
  for (const char* name : {"baseline.jpg", "progressive.jpg", "in_a.png"}) {
    const std::vector<uint8_t> bytes = read_file_bytes(golden_path(name));
    for (size_t keep : {size_t{0}, size_t{1}, size_t{10}, size_t{100}, bytes.size() / 3}) {
      // stb tolerates some JPEG truncation (it pads with zeros, as libjpeg
      // does); what it must never do is crash. Headers cut short must fail.
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + keep);
      if (keep <= 100) expect_error_naming(cut, std::string("cut_") + name);
      else {
        try { decode_image_memory(cut.data(), cut.size(), name); } catch (const Error&) {}
      }
    }
  }
}

TEST(Decode, OversizedHuffmanTableIsRejectedBeforeStb) {
  // stb 2.27 overflows its table when a DHT declares > 256 codes; ours refuses.
  std::vector<uint8_t> bytes = read_file_bytes(golden_path("baseline.jpg"));
  size_t dht = 0;
  for (size_t i = 2; i + 1 < bytes.size() && dht == 0; ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC4) dht = i;
  }
  ASSERT_GT(dht, 0u);
  for (int k = 0; k < 16; ++k) bytes[dht + 5 + k] = 0xFF;  // after FF C4, length (2), class/id (1)
  try {
    decode_image_memory(bytes.data(), bytes.size(), "huffman.jpg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("huffman.jpg"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Huffman"), std::string::npos) << e.what();
  }
}

TEST(Decode, NotAnImageIsAnError) {
  const std::string text = "this is not an image\n";
  expect_error_naming(std::vector<uint8_t>(text.begin(), text.end()), "notes.txt");
  expect_error_naming({}, "empty.jpg");
  // A GIF header: a real image format, but not one the datasets use.
  const std::string gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
  expect_error_naming(std::vector<uint8_t>(gif.begin(), gif.end()), "image.gif");
}

TEST(Decode, MissingFileIsAnErrorNamingIt) {
  try {
    decode_image_file("/nonexistent/dir/0001.jpg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/0001.jpg"), std::string::npos);
  }
}

TEST(Decode, RandomAndMutatedBytesNeverCrash) {
  // Fuzz-style: random bytes, and valid files with random bytes overwritten.
  std::mt19937 rng(1234);
  int errors = 0, decoded = 0;
  auto attempt = [&](const std::vector<uint8_t>& bytes) {
    try {
      const Image image = decode_image_memory(bytes.data(), bytes.size(), "fuzz");
      EXPECT_EQ(image.pixels.size(), static_cast<size_t>(image.width) * image.height * 3);
      ++decoded;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("fuzz"), std::string::npos);
      ++errors;
    }
  };
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> bytes(1 + rng() % 2000);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (i % 2 == 0 && bytes.size() > 4) {  // give half of them a plausible magic
      const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0}, png[] = {0x89, 'P', 'N', 'G'};
      std::copy(i % 4 ? jpeg : png, (i % 4 ? jpeg : png) + 4, bytes.begin());
    }
    attempt(bytes);
  }
  for (const char* name : {"baseline.jpg", "progressive.jpg", "in_a.png", "palette.png"}) {
    const std::vector<uint8_t> original = read_file_bytes(golden_path(name));
    for (int i = 0; i < 150; ++i) {
      std::vector<uint8_t> bytes = original;
      for (int k = 0; k < 1 + i % 8; ++k) bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
      attempt(bytes);
    }
  }
  EXPECT_GT(errors, 200);  // random bytes do not decode
  EXPECT_GT(decoded, 0);   // and mutated JPEG bodies mostly still do
}

}  // namespace
}  // namespace idml::data
