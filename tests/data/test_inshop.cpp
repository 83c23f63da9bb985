// In-shop Clothes Retrieval (data/inshop_partition.h, data/inshop_dataset.cpp)
// on a miniature layout written into this process's private directory: the
// three splits, labels renumbered by item number per part (train; query and
// gallery together), paths under Img/, and an error naming the file, the line
// and what was expected for every malformed partition file or missing file.
#include <gtest/gtest.h>

#include <sstream>

#include "data/dataset.h"
#include "data/dataset_check.h"
#include "data/inshop_partition.h"
#include "engine/error.h"
#include "layouts.h"
#include "tests/private_directory.h"

namespace idml::data {
namespace {

// Runs `f` and expects an idml::Error whose message contains every part.
template <typename F>
void expect_error(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

// Train items id_10 and id_9 (numbers 10 and 9: sorted as numbers, not text);
// query + gallery items 3, 4, 5 (queries only) and 7 (gallery only). CRLF line
// ends, aligned columns with tabs and a trailing blank line, as files edited on
// other systems have.
const char* kPartition =
    "9\r\n"
    "image_name item_id evaluation_status\r\n"
    "img/WOMEN/Dresses/id_10/01_1_front.jpg      id_10  train\r\n"
    "img/WOMEN/Dresses/id_10/01_2_side.jpg       id_10  train\r\n"
    "img/WOMEN/Dresses/id_9/01_1_front.jpg       id_9\ttrain\r\n"
    "img/MEN/Tees_Tanks/id_00000004/01_1_front.jpg  id_00000004 query\r\n"
    "img/MEN/Tees_Tanks/id_00000004/01_2_side.jpg   id_00000004 gallery\r\n"
    "img/MEN/Tees_Tanks/id_00000003/01_1_front.jpg  id_00000003 gallery\r\n"
    "img/MEN/Tees_Tanks/id_00000003/02_1_front.jpg  id_00000003 query\r\n"
    "img/MEN/Tees_Tanks/id_00000007/01_1_front.jpg  id_00000007 gallery\r\n"
    "img/WOMEN/Dresses/id_00000005/01_1_front.jpg   id_00000005 query\r\n"
    "\r\n";

// kPartition and each image it lists under a fresh private folder; returns --data-root.
std::string write_layout(const std::string& name, const std::string& partition = kPartition) {
  const std::string root = idml::testing::fresh_directory(name).string();
  testing::write_text(root + "/Inshop_Clothes/Eval/list_eval_partition.txt", partition);
  std::istringstream lines(partition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("img/", 0) == 0) testing::write_image(root + "/Inshop_Clothes/Img/" + line.substr(0, line.find(' ')));
  }
  return root;
}

InshopPartition parse(const std::string& text) {
  std::istringstream in(text);
  return parse_inshop_partition(in, "list.txt");
}

TEST(Inshop, ThreeSplitsWithLabelsRenumberedPerPart) {
  const std::string root = write_layout("inshop_splits");
  const auto train = testing::open_at("Inshop", root, Split::Train);
  const auto query = testing::open_at("Inshop", root, Split::Query);
  const auto gallery = testing::open_at("Inshop", root, Split::Gallery);
  EXPECT_EQ(train->labels(), (std::vector<int64_t>{1, 1, 0}));  // id_9 -> 0, id_10 -> 1
  EXPECT_EQ(query->labels(), (std::vector<int64_t>{1, 0, 2}));  // items 3, 4, 5, 7 -> 0, 1, 2, 3
  EXPECT_EQ(gallery->labels(), (std::vector<int64_t>{1, 0, 3}));
  EXPECT_EQ(train->source(2), root + "/Inshop_Clothes/Img/img/WOMEN/Dresses/id_9/01_1_front.jpg");
  EXPECT_EQ(query->source(1), root + "/Inshop_Clothes/Img/img/MEN/Tees_Tanks/id_00000003/02_1_front.jpg");
  EXPECT_EQ(gallery->num_classes(), 3u);
  const DatasetCheck check = check_dataset(*gallery, 2);
  EXPECT_EQ(check.images, 3u);
  EXPECT_TRUE(check.unreadable.empty());
}

TEST(Inshop, ItemNumbersAsTheReferenceReadsThem) {
  // int(x.split('_')[-1]): the digits after the last '_', or the whole id without one.
  const InshopPartition p = parse(
      "3\nimage_name item_id evaluation_status\n"
      "a.jpg item_b_0020 train\nb.jpg 3 train\nc.jpg x_003 train\n");
  ASSERT_EQ(p.train.size(), 3u);
  EXPECT_EQ(p.train[0].label, 1);  // 20
  EXPECT_EQ(p.train[1].label, 0);  // 3
  EXPECT_EQ(p.train[2].label, 0);  // 003 = 3: the same item number, as in the reference
  EXPECT_TRUE(p.query.empty() && p.gallery.empty());
}

TEST(Inshop, MalformedPartitionFilesNameTheLineAndWhatWasExpected) {
  const std::string header = "image_name item_id evaluation_status\n";
  expect_error([&] { parse(""); }, {"list.txt is empty", "count line"});
  expect_error([&] { parse(header + "a.jpg id_1 train\n"); }, {"list.txt:1", "number of images"});
  expect_error([&] { parse("1\n"); }, {"list.txt:2", "missing the header"});
  expect_error([&] { parse("1\nimage_name clothes_type pose_type\na.jpg id_1 train\n"); },
               {"list.txt:2", "expected the header 'image_name item_id evaluation_status'", "list_eval_partition.txt"});
  expect_error([&] { parse("1\n" + header + "a.jpg id_1\n"); }, {"list.txt:3", "image_name item_id evaluation_status"});
  expect_error([&] { parse("1\n" + header + "a.jpg id_1 train extra\n"); }, {"list.txt:3", "got 'a.jpg id_1 train extra'"});
  expect_error([&] { parse("2\n" + header + "a.jpg id_1 train\nb.jpg id_1 test\n"); },
               {"list.txt:4", "train, query or gallery", "'test'"});
  expect_error([&] { parse("1\n" + header + "a.jpg id_x train\n"); }, {"list.txt:3", "item_id 'id_x'"});
  expect_error([&] { parse("1\n" + header + "a.jpg id_99999999999999999999 train\n"); }, {"list.txt:3", "item_id"});
  expect_error([&] { parse("3\n" + header + "a.jpg id_1 train\nb.jpg id_2 query\n"); },
               {"declares 3 images", "lists 2", "truncated"});
}

TEST(Inshop, WrongLayoutsAreErrorsNamingWhatIsMissing) {
  const std::string empty = idml::testing::fresh_directory("inshop_empty").string();
  expect_error([&] { testing::open_at("Inshop", empty, Split::Train); },
               {"missing folder " + empty + "/Inshop_Clothes", "expected layout", "list_eval_partition.txt"});
  testing::write_text(empty + "/Inshop_Clothes/Img/readme.txt", "");
  expect_error([&] { testing::open_at("Inshop", empty, Split::Query); }, {"missing ", "Eval/list_eval_partition.txt"});

  const std::string root = write_layout("inshop_missing_image");
  std::filesystem::remove(root + "/Inshop_Clothes/Img/img/WOMEN/Dresses/id_00000005/01_1_front.jpg");
  EXPECT_EQ(testing::open_at("Inshop", root, Split::Gallery)->size(), 3u);  // the gallery lists it not
  expect_error([&] { testing::open_at("Inshop", root, Split::Query); },
               {"1 image(s) listed in", "id_00000005/01_1_front.jpg", "do not exist"});

  const std::string no_gallery = write_layout("inshop_no_gallery",
                                              "1\nimage_name item_id evaluation_status\nimg/a.jpg id_1 train\n");
  EXPECT_EQ(testing::open_at("Inshop", no_gallery, Split::Train)->size(), 1u);
  expect_error([&] { testing::open_at("Inshop", no_gallery, Split::Gallery); }, {"lists no 'gallery' images"});
  expect_error([&] { testing::open_at("Inshop", no_gallery, Split::Eval); },
               {"split 'eval' does not exist for 'Inshop'", "train, query, gallery"});
}

TEST(Inshop, SplitNames) {
  EXPECT_EQ(parse_split("query"), Split::Query);
  EXPECT_EQ(parse_split("gallery"), Split::Gallery);
  EXPECT_STREQ(split_name(Split::Gallery), "gallery");
}

}  // namespace
}  // namespace idml::data
