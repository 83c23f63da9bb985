// Datasets on small generated layouts of each kind: split membership, counts,
// labels, order, and an error naming what is missing for each wrong layout.
#include <gtest/gtest.h>

#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "data/dataset.h"
#include "data/dataset_check.h"
#include "data/dataset_layouts.h"
#include "engine/error.h"
#include "layouts.h"

namespace fs = std::filesystem;

namespace idml::data {
namespace {

using testing::TempDir;

// Runs `open` and expects an idml::Error whose message contains every part.
template <typename F>
void expect_error(F open, std::initializer_list<std::string> parts) {
  try {
    open();
    FAIL() << "no error";
  } catch (const Error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

std::unique_ptr<Dataset> open(const std::string& name, const std::string& root, Split split, int train_classes = 0) {
  return testing::open_at(name, root, split, train_classes);
}

TEST(ImageFolder, FirstHalfOfSortedClassesTrainsTheRestEvaluates) {
  TempDir dir;
  testing::make_image_folder(dir / "ds", 5, 3);
  testing::write_image(dir / "ds/class_000/sub/a.png");      // nested: after the folder's own files
  testing::write_text(dir / "ds/class_001/notes.txt", "x");  // not an image extension
  testing::write_image(dir / "ds/class_001/UPPER.JPG");      // extensions are case-insensitive
  const auto train = open("folder", dir / "ds", Split::Train);
  const auto eval = open("folder", dir / "ds", Split::Eval);
  ASSERT_EQ(train->size(), 3u + 1 + 3 + 1);
  EXPECT_EQ(eval->size(), 9u);
  EXPECT_EQ(train->num_classes(), 2u);
  EXPECT_EQ(eval->num_classes(), 3u);
  EXPECT_EQ(train->source(0), dir / "ds/class_000/img_0.png");
  EXPECT_EQ(train->source(3), dir / "ds/class_000/sub/a.png");
  EXPECT_EQ(train->source(4), dir / "ds/class_001/UPPER.JPG");  // 'U' sorts before 'i'
  EXPECT_EQ(train->label(3), 0);
  EXPECT_EQ(train->label(4), 1);
  EXPECT_EQ(eval->label(0), 2);  // eval labels keep their class ids
  EXPECT_EQ(eval->label(8), 4);
  EXPECT_EQ(train->load(0).width, 24);

  const auto train4 = open("folder", dir / "ds", Split::Train, 4);
  EXPECT_EQ(train4->size(), 14u);
  EXPECT_EQ(open("folder", dir / "ds", Split::Eval, 4)->size(), 3u);
}

TEST(ImageFolder, WrongLayoutsAreErrorsNamingThePath) {
  TempDir dir;
  expect_error([&] { open("folder", dir / "absent", Split::Train); },
               {dir / "absent", "expected layout"});
  testing::make_image_folder(dir / "one", 1, 2);
  expect_error([&] { open("folder", dir / "one", Split::Train); }, {"at least 2"});
  testing::make_image_folder(dir / "two", 2, 1);
  expect_error([&] { open("folder", dir / "two", Split::Train, 2); }, {"no eval classes"});
  fs::create_directories(dir / "two/class_002_empty");
  expect_error([&] { open("folder", dir / "two", Split::Train); }, {"class_002_empty", "no image files"});
}

// Issue 13 item 8: class_000/loop -> .. (the dataset root) was followed 40
// levels deep, listing 972 images instead of 12, eval-class images among them.
TEST(ImageFolder, SymlinkLoopsAreSkippedAndCounted) {
  TempDir dir;
  testing::make_image_folder(dir / "ds", 4, 3);
  fs::create_directory_symlink("..", dir / "ds/class_000/loop");
  fs::create_directory_symlink(".", dir / "ds/class_001/self");
  fs::create_directory_symlink("../class_003", dir / "ds/class_002/sibling");  // not a loop: followed
  const ImageFolderListing listing = list_image_folder(dir / "ds", "layout");
  EXPECT_EQ(listing.paths.size(), 15u);  // 12 + class_003's 3 again under class_002
  EXPECT_EQ(listing.skipped_loops, 2u);
  for (size_t i = 0; i < listing.paths.size(); ++i) {
    if (listing.labels[i] == 0) {
      EXPECT_EQ(listing.paths[i].find("loop"), std::string::npos) << listing.paths[i];
    }
  }
}

// Runs `f` and returns the idml::Error it threw. As root it runs in a child
// process that first becomes `nobody` (root reads every folder regardless of
// its mode, and CI runs as root), with the message sent back through a pipe.
std::string error_as_ordinary_user(const std::function<void()>& f) {
  auto run = [&f] {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  if (geteuid() != 0) return run();
  const passwd* nobody = getpwnam("nobody");
  if (nobody == nullptr) return "(no user nobody)";
  int fds[2];
  if (pipe(fds) != 0) return "(no pipe)";
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const std::string message = setgroups(0, nullptr) == 0 && setgid(nobody->pw_gid) == 0 &&
                                        setuid(nobody->pw_uid) == 0
                                    ? run()
                                    : "(cannot become nobody)";
    ssize_t ignored = write(fds[1], message.data(), message.size());
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return message;
}

// An unreadable class folder is reported with the system's reason (not "holds
// no image files"), as an ordinary user and, through error_as_ordinary_user, as root.
TEST(ImageFolder, UnreadableClassFolderReportsThePermissionError) {
  if (geteuid() == 0 && getpwnam("nobody") == nullptr) GTEST_SKIP() << "running as root and no user nobody";
  // Under /tmp, not $TMPDIR (often mode 0700, which nobody cannot enter).
  char pattern[] = "/tmp/idml_unreadable_XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const fs::path dir = pattern;
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
  testing::make_image_folder((dir / "ds").string(), 2, 2);
  fs::permissions(dir / "ds/class_001", fs::perms::none);
  const std::string error = error_as_ordinary_user([&] { open("folder", (dir / "ds").string(), Split::Train); });
  fs::permissions(dir / "ds/class_001", fs::perms::owner_all);
  fs::remove_all(dir);
  EXPECT_NE(error.find("class_001"), std::string::npos) << error;
  EXPECT_NE(error.find("Permission denied"), std::string::npos) << error;
}

TEST(Cub, HundredTrainHundredEvalClassesSkippingResourceForks) {
  TempDir dir;
  for (int c = 1; c <= 200; ++c) {
    char name[64];
    std::snprintf(name, sizeof name, "CUB_200_2011/images/%03d.Bird_%d/Bird_%d_0001.jpg", c, c, c);
    testing::write_image(dir / name);
  }
  testing::write_image(dir / "CUB_200_2011/images/007.Bird_7/Bird_7_0002.jpg");
  testing::write_image(dir / "CUB_200_2011/images/007.Bird_7/._Bird_7_0001.jpg");
  testing::write_image(dir / "CUB_200_2011/images/150.Bird_150/._Bird_150_0001.jpg");
  const auto train = open("cub", dir.path().string(), Split::Train);
  const auto eval = open("cub", dir.path().string(), Split::Eval);
  EXPECT_EQ(train->size(), 101u);
  EXPECT_EQ(train->num_classes(), 100u);
  EXPECT_EQ(eval->size(), 100u);
  EXPECT_EQ(eval->num_classes(), 100u);
  EXPECT_EQ(train->label(0), 0);
  EXPECT_EQ(train->label(100), 99);
  EXPECT_EQ(eval->label(0), 100);
  EXPECT_EQ(eval->label(99), 199);
  for (size_t i = 0; i < eval->size(); ++i) EXPECT_EQ(eval->source(i).find("/._"), std::string::npos);
}

TEST(Cub, MissingImagesFolderShowsTheExpectedLayout) {
  TempDir dir;
  expect_error([&] { open("cub", dir.path().string(), Split::Train); },
               {"CUB_200_2011/images", "expected layout", "001.Black_footed_Albatross"});
}

class CarsLayout : public ::testing::TestWithParam<bool> {};

TEST_P(CarsLayout, ClassesOneToNinetyEightTrainTheRestEvaluate) {
  const bool compressed = GetParam();
  TempDir dir;
  const std::vector<testing::CarAnnotation> annotations{
      {"car_ims/000001.jpg", 1, 0}, {"car_ims/000002.jpg", 98, 1}, {"car_ims/000003.jpg", 99, 0},
      {"car_ims/000004.jpg", 196, 1}, {"car_ims/000005.jpg", 2, 1}, {"car_ims/000006.jpg", 150, 0}};
  for (const auto& a : annotations) testing::write_image(dir / ("cars196/" + a.relative_im_path));
  testing::write_cars_annos(dir / "cars196/cars_annos.mat", annotations, compressed);
  const auto train = open("cars", dir.path().string(), Split::Train);
  const auto eval = open("cars", dir.path().string(), Split::Eval);
  ASSERT_EQ(train->size(), 3u);
  ASSERT_EQ(eval->size(), 3u);
  EXPECT_EQ(train->labels(), (std::vector<int64_t>{0, 97, 1}));  // `test` is ignored
  EXPECT_EQ(eval->labels(), (std::vector<int64_t>{98, 195, 149}));
  EXPECT_EQ(train->source(1), dir / "cars196/car_ims/000002.jpg");
  EXPECT_EQ(eval->load(2).height, 24);
}

INSTANTIATE_TEST_SUITE_P(V5AndV7Compressed, CarsLayout, ::testing::Values(false, true));

TEST(Cars, WrongLayoutsAreErrorsNamingWhatIsMissing) {
  TempDir dir;
  expect_error([&] { open("cars", dir.path().string(), Split::Train); }, {"cars196", "expected layout"});
  fs::create_directories(dir / "cars196/car_ims");
  expect_error([&] { open("cars", dir.path().string(), Split::Train); }, {"cars_annos.mat", "car_ims/000001.jpg"});
  testing::write_text(dir / "cars196/cars_annos.mat", "not a mat file");
  expect_error([&] { open("cars", dir.path().string(), Split::Train); }, {"cars_annos.mat", "MATLAB"});
  const std::vector<testing::CarAnnotation> one{{"car_ims/000001.jpg", 1, 0}};
  testing::write_cars_annos(dir / "cars196/cars_annos.mat", one, false, "class");
  expect_error([&] { open("cars", dir.path().string(), Split::Train); }, {"no field 'class'"});
  testing::write_cars_annos(dir / "cars196/cars_annos.mat", one, true);
  expect_error([&] { open("cars", dir.path().string(), Split::Train); },
               {"do not exist", "car_ims/000001.jpg", "expected layout"});
}

TEST(Sop, ReadsEbayListsUnderEitherFolderSpelling) {
  for (const std::string folder : {"Stanford_Online_Products", "Standford_Online_Products"}) {
    TempDir dir;
    const std::string base = dir / folder;
    testing::write_text(base + "/Ebay_train.txt",
                        "image_id class_id super_class_id path\n"
                        "1 1 1 bicycle_final/111085122871_0.JPG\n"
                        "2 1 1 bicycle_final/111085122871_1.JPG\n"
                        "3 3 2 cabinet_final/222_0.JPG\n");
    testing::write_text(base + "/Ebay_test.txt",
                        "image_id class_id super_class_id path\r\n"
                        "1 11319 1 bicycle_final/999_0.JPG\r\n");
    for (const char* p : {"bicycle_final/111085122871_0.JPG", "bicycle_final/111085122871_1.JPG",
                          "cabinet_final/222_0.JPG", "bicycle_final/999_0.JPG"}) {
      testing::write_image(base + "/" + p);
    }
    const auto train = open("SOP", dir.path().string(), Split::Train);
    const auto eval = open("SOP", dir.path().string(), Split::Eval);
    EXPECT_EQ(train->labels(), (std::vector<int64_t>{0, 0, 2}));
    EXPECT_EQ(train->num_classes(), 2u);
    EXPECT_EQ(eval->labels(), (std::vector<int64_t>{11318}));
    EXPECT_EQ(train->source(2), base + "/cabinet_final/222_0.JPG");
  }
}

TEST(Sop, WrongLayoutsAreErrorsNamingWhatIsMissing) {
  TempDir dir;
  expect_error([&] { open("SOP", dir.path().string(), Split::Train); },
               {"Stanford_Online_Products", "Ebay_train.txt", "expected layout"});
  testing::write_text(dir / "Stanford_Online_Products/Ebay_train.txt",
                      "image_id class_id super_class_id path\n1 1 1 a/missing.JPG\n");
  expect_error([&] { open("SOP", dir.path().string(), Split::Eval); }, {"Ebay_test.txt"});
  expect_error([&] { open("SOP", dir.path().string(), Split::Train); }, {"a/missing.JPG", "do not exist"});
  testing::write_text(dir / "Stanford_Online_Products/Ebay_train.txt",
                      "image_id class_id super_class_id path\n1 x\n");
  expect_error([&] { open("SOP", dir.path().string(), Split::Train); }, {"Ebay_train.txt:2"});
}

TEST(OpenDataset, UnknownNamesAndSplitsAreErrors) {
  expect_error([&] { open("imagenet", "/tmp", Split::Train); }, {"imagenet", "cub", "fashion-mnist"});
  expect_error([&] { open("cub", "/tmp", Split::Seen); }, {"seen"});
  expect_error([&] { open("cub", "", Split::Train); }, {"--data-root"});
  expect_error([&] { parse_split("validation"); }, {"validation"});
  EXPECT_EQ(parse_split("test"), Split::Eval);
}

TEST(DatasetCheck, ListsFilesThatDoNotDecode) {
  TempDir dir;
  testing::make_image_folder(dir / "ds", 2, 2);
  testing::write_text(dir / "ds/class_001/broken.jpg", "garbage");
  const auto eval = open("folder", dir / "ds", Split::Eval);
  const DatasetCheck check = check_dataset(*eval, 2);
  EXPECT_EQ(check.images, 3u);
  EXPECT_EQ(check.classes, 1u);
  ASSERT_EQ(check.unreadable.size(), 1u);
  EXPECT_EQ(check.unreadable[0], dir / "ds/class_001/broken.jpg");
  EXPECT_TRUE(check_dataset(*open("folder", dir / "ds", Split::Train), 1).unreadable.empty());
}

}  // namespace
}  // namespace idml::data
