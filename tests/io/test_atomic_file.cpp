// io::AtomicFile: the new contents replace the old in one rename; every
// failure (no directory, an unreplaceable destination, an exception before
// commit) leaves the old file as it was, no temporary file behind, and an
// error that names the file and the reason.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/atomic_file.h"
#include "tests/error_of.h"
#include "tests/private_directory.h"

namespace idml::io {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::fresh_directory;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int count_files(const fs::path& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) n += entry.is_regular_file() || entry.is_directory();
  return n;
}

TEST(AtomicFile, ReplacesTheFileAndLeavesNoTemporary) {
  const fs::path dir = fresh_directory("atomic_replace");
  const std::string path = (dir / "out.txt").string();
  write_file_atomically(path, "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(read_text(path), "second, longer");
  EXPECT_EQ(count_files(dir), 1);
}

TEST(AtomicFile, TemporaryIsBesideTheFileAndNamedByProcess) {
  const fs::path dir = fresh_directory("atomic_name");
  AtomicFile file((dir / "a.bin").string());
  // Same directory (rename never crosses file systems), *.tmp (the trainer's
  // start-up clean-up finds it), the pid (two processes never share it).
  EXPECT_EQ(file.temporary_path(), (dir / ("a.bin." + std::to_string(::getpid()) + ".tmp")).string());
  EXPECT_TRUE(fs::exists(file.temporary_path()));
  file.write("xy", 2);
  EXPECT_FALSE(fs::exists(dir / "a.bin"));  // nothing visible before commit()
  file.commit();
  EXPECT_EQ(read_text(dir / "a.bin"), "xy");
  EXPECT_FALSE(fs::exists(file.temporary_path()));
}

TEST(AtomicFile, AbandonedWriteKeepsTheOldContents) {
  const fs::path dir = fresh_directory("atomic_abandon");
  const std::string path = (dir / "keep.txt").string();
  write_file_atomically(path, "old");
  {
    AtomicFile file(path);
    file.write(std::string_view("half of the new"));
  }  // an exception between write and commit ends here
  EXPECT_EQ(read_text(path), "old");
  EXPECT_EQ(count_files(dir), 1);
}

TEST(AtomicFile, MissingDirectoryNamesTheFileAndTheReason) {
  const std::string message = error_of([] { write_file_atomically("/nonexistent_idml_dir/x.json", "{}"); });
  EXPECT_NE(message.find("/nonexistent_idml_dir/x.json"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot create"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
}

TEST(AtomicFile, UnreplaceableDestinationKeepsItAndRemovesTheTemporary) {
  const fs::path dir = fresh_directory("atomic_rename");
  const fs::path blocked = dir / "blocked";
  fs::create_directories(blocked / "inside");  // rename(2) cannot put a file over a directory
  const std::string message = error_of([&] { write_file_atomically(blocked.string(), "data"); });
  EXPECT_NE(message.find(blocked.string() + ": cannot replace with "), std::string::npos) << message;
  EXPECT_NE(message.find("Is a directory"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_directory(blocked / "inside"));
  EXPECT_EQ(count_files(dir), 1);
}

TEST(AtomicFile, FullDiskNamesTheFileAndTheReason) {
  // /dev/full takes the bytes into stdio's buffer and refuses them at the flush:
  // the failure must still come out of commit(), with the errno text.
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const fs::path dir = fresh_directory("atomic_full");
  const std::string path = (dir / "x.bin").string();
  // The temporary's name, taken by a link to /dev/full: fopen opens the device.
  fs::create_symlink("/dev/full", path + "." + std::to_string(::getpid()) + ".tmp");
  AtomicFile full(path);
  full.write("abc", 3);
  const std::string message = error_of([&] { full.commit(); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace idml::io
