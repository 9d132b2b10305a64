// Atomic outputs: a file is replaced whole or not at all; an output folder is swapped in whole,
// with a manifest written last; an output that is also an input is refused.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/files.hpp"
#include "ltv/io/staged_directory.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// Files in `dir` (names), sorted.
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicOutput, TheTargetIsReplacedOnlyByClose) {
  const auto dir = test::temp_dir("atomic_output_close");
  const auto path = dir / "out.csv";
  spit(path, "previous\n");
  ::chmod(path.c_str(), 0640);
  {
    Output out(path.string());
    out.stream() << "new contents\n";
    // Until close(), readers see the previous file (the new one is a hidden temporary file).
    EXPECT_EQ(slurp(path), "previous\n");
    EXPECT_EQ(listing(dir).size(), 2u);
    out.close();
  }
  EXPECT_EQ(slurp(path), "new contents\n");
  EXPECT_EQ(listing(dir), std::vector<std::string>{"out.csv"});
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // the replaced file's permissions are kept
}

TEST(AtomicOutput, AnOutputDestroyedWithoutCloseLeavesThePreviousFile) {
  const auto dir = test::temp_dir("atomic_output_abandon");
  const auto path = dir / "out.csv";
  spit(path, "previous\n");
  try {
    Output out(path.string());
    // More than the 8 MiB buffer: part of it is already written to the temporary file.
    const std::string big(std::size_t{20} << 20, 'x');
    out.stream() << big;
    throw std::runtime_error("the command failed half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(path), "previous\n");
  EXPECT_EQ(listing(dir), std::vector<std::string>{"out.csv"});  // no temporary file left
}

TEST(AtomicOutput, AFailedWriteLeavesThePreviousFile) {
  // /dev/full as the target is written in place (a device is never renamed over); the failure
  // is a SystemError with the reason.
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  Output out("/dev/full");
  out.stream() << std::string(1 << 20, 'y');
  try {
    out.close();
    FAIL() << "no error";
  } catch (const SystemError& e) {
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos);
  }
}

TEST(AtomicOutput, DirectoriesAndMissingFoldersAreRefused) {
  const auto dir = test::temp_dir("atomic_output_dir");
  try {
    Output out(dir.string());
    FAIL() << "a directory was opened as an output file";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "parameter output: found '" + dir.string() +
                                         "', expected an output file name (this is a "
                                         "directory)");
  }
  EXPECT_THROW(Output((dir / "missing" / "x.csv").string()), InputError);
}

TEST(AtomicOutput, SymbolicLinksAreFollowedAndKept) {
  const auto dir = test::temp_dir("atomic_output_link");
  spit(dir / "real.csv", "old\n");
  fs::create_symlink(dir / "real.csv", dir / "link.csv");
  Output out((dir / "link.csv").string());
  out.stream() << "new\n";
  out.close();
  EXPECT_TRUE(fs::is_symlink(dir / "link.csv"));
  EXPECT_EQ(slurp(dir / "real.csv"), "new\n");
}

TEST(StagedDirectory, CommitSwapsTheWholeFolderAndDropsStaleFiles) {
  const auto parent = test::temp_dir("staged_commit");
  const auto target = parent / "analysis";
  {
    StagedDirectory first(target);
    spit(first.file("customers.csv"), "a\n");
    spit(first.file("stale.csv"), "from the first run\n");
    spit(first.file("nps/nps.csv"), "n\n");
    EXPECT_FALSE(fs::exists(target));  // nothing published before commit()
    first.commit();
  }
  EXPECT_EQ(slurp(target / "stale.csv"), "from the first run\n");
  EXPECT_TRUE(manifest_problems(target).empty());
  {
    StagedDirectory second(target);
    spit(second.file("customers.csv"), "b\nb\n");
    spit(second.file("nps/nps.csv"), "m\n");
    // Until commit(), readers see the first run whole.
    EXPECT_EQ(slurp(target / "customers.csv"), "a\n");
    second.commit();
  }
  EXPECT_EQ(slurp(target / "customers.csv"), "b\nb\n");
  EXPECT_FALSE(fs::exists(target / "stale.csv"));
  EXPECT_EQ(listing(target), (std::vector<std::string>{"customers.csv", "manifest.json", "nps"}));
  EXPECT_EQ(listing(parent), std::vector<std::string>{"analysis"});  // no stage folder left
  const auto entries = read_manifest(target);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].path, "customers.csv");
  EXPECT_EQ(entries[0].bytes, 4u);
  EXPECT_EQ(entries[1].path, "nps/nps.csv");
  verify_manifest(target);
}

TEST(StagedDirectory, WithoutCommitThePreviousFolderStays) {
  const auto parent = test::temp_dir("staged_abandon");
  const auto target = parent / "out";
  {
    StagedDirectory first(target);
    spit(first.file("a.csv"), "first\n");
    first.commit();
  }
  try {
    StagedDirectory second(target);
    spit(second.file("a.csv"), "second, never finished\n");
    throw std::runtime_error("a step failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slurp(target / "a.csv"), "first\n");
  EXPECT_EQ(listing(parent), std::vector<std::string>{"out"});
}

TEST(StagedDirectory, StageFoldersOfDeadProcessesAreRemoved) {
  const auto parent = test::temp_dir("staged_stale");
  // A stage left by a process killed while building (pid 2^22 + 1 is above pid_max's default).
  fs::create_directories(parent / ".out.ltv-stage-4194305-0" / "sub");
  spit(parent / ".out.ltv-stage-4194305-0" / "sub" / "x.csv", "half\n");
  StagedDirectory stage(parent / "out");
  EXPECT_FALSE(fs::exists(parent / ".out.ltv-stage-4194305-0"));
}

TEST(StagedDirectory, RefusesFilesAndFoldersOfOtherFiles) {
  const auto parent = test::temp_dir("staged_refuse");
  spit(parent / "file", "x");
  EXPECT_THROW(StagedDirectory(parent / "file"), InputError);
  fs::create_directories(parent / "photos");
  spit(parent / "photos" / "cat.jpg", "meow");
  try {
    StagedDirectory s(parent / "photos");
    FAIL() << "a folder of other files would be deleted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("holds other files and no manifest.json"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(slurp(parent / "photos" / "cat.jpg"), "meow");
  // Asked for explicitly, it is replaced.
  StagedDirectory s(parent / "photos", StagedDirectory::Options{true});
  s.commit();
  EXPECT_FALSE(fs::exists(parent / "photos" / "cat.jpg"));
  // An empty folder is fine.
  fs::create_directories(parent / "empty");
  StagedDirectory(parent / "empty").commit();
}

TEST(StagedDirectory, VerifyNamesMissingChangedAndUnlistedFiles) {
  const auto parent = test::temp_dir("staged_verify");
  const auto target = parent / "run";
  {
    StagedDirectory s(target);
    spit(s.file("a.csv"), "aaaa\n");
    spit(s.file("b.csv"), "bb\n");
    s.commit();
  }
  spit(target / "a.csv", "aaaa\nmore\n");  // changed after the run
  fs::remove(target / "b.csv");            // lost
  spit(target / "c.csv", "c\n");           // not from the run
  const auto problems = manifest_problems(target);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], std::string("a.csv") + ": 10 bytes, manifest.json lists 5 bytes");
  EXPECT_EQ(problems[1], std::string("b.csv") + ": missing (listed in manifest.json)");
  EXPECT_EQ(problems[2], std::string("c.csv") + ": not listed in manifest.json");
  try {
    verify_manifest(target);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("(3 problems;"), std::string::npos) << e.what();
  }
  // A reader's own output (ignored) and files added by later steps (allow_added) are not
  // problems; a listed file changed or lost still is.
  const std::vector<std::string> own{"a.csv"};
  const auto readers = manifest_problems(target, own, /*allow_added=*/true);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_EQ(readers[0], "b.csv: missing (listed in manifest.json)");
  spit(target / "b.csv", "bb\n");
  EXPECT_TRUE(manifest_problems(target, own, true).empty());
  EXPECT_EQ(manifest_problems(target, own, false).size(), 1u);  // c.csv is not listed
  fs::remove(target / "manifest.json");
  EXPECT_NE(manifest_problems(target).at(0).find("no manifest.json"), std::string::npos);
}

TEST(OutputIsNotInput, SameFileHardLinkSymlinkAndContainingFolderAreRefused) {
  const auto dir = test::temp_dir("output_not_input");
  const auto input = dir / "data" / "orders.csv";
  fs::create_directories(input.parent_path());
  spit(input, "customer,date\n");
  fs::create_hard_link(input, dir / "hard.csv");
  fs::create_symlink(input, dir / "soft.csv");
  const std::vector<std::string> inputs{"-", "", input.string()};
  for (const fs::path& out : {input, dir / "hard.csv", dir / "soft.csv"}) {
    try {
      check_output_not_input(out.string(), inputs);
      ADD_FAILURE() << out << " was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), "parameter output: found '" + out.string() +
                                           "', expected an output other than the input " +
                                           input.string() +
                                           " (it would be overwritten while it is read)");
    }
  }
  for (const fs::path& out : {dir / "data", dir}) {
    EXPECT_THROW(check_output_not_input(out.string(), inputs), InputError) << out;
  }
  // Other files and folders, and outputs that do not exist yet, are fine.
  EXPECT_NO_THROW(check_output_not_input((dir / "summary.csv").string(), inputs));
  fs::create_directories(dir / "elsewhere");
  EXPECT_NO_THROW(check_output_not_input((dir / "elsewhere").string(), inputs));
  EXPECT_NO_THROW(check_output_not_input("-", inputs));
}

TEST(OutputIsNotInput, LtvSummaryRefusesToOverwriteItsInput) {
  const auto dir = test::temp_dir("summary_output_is_input");
  const auto file = dir / "orders.csv";
  const std::string text = "customer,date,amount\nc1,2020-01-01,5\n";
  spit(file, text);
  const auto r =
      test::run(test::cli() + " summary '" + file.string() +
                "' --customer customer --date date --amount amount -o '" + file.string() + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected an output other than the input"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(file), text);
}

}  // namespace
}  // namespace ltv
