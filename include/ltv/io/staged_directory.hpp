#pragma once
/// Output folders published whole: built beside their target and swapped in by commit(), with a
/// manifest of their files written last.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace ltv {

/// Name of the manifest an output folder carries (written last by StagedDirectory::commit()).
inline constexpr const char* kManifestName = "manifest.json";

/// An output folder built in a hidden sibling folder (`.NAME.ltv-stage-PID-N` beside `target`)
/// and published by commit():
///  - a reader of `target` sees the previous folder or the new one, never a mix: commit() swaps
///    the two with one atomic rename (renameat2 RENAME_EXCHANGE; where the file system lacks it,
///    two renames, between which `target` is briefly absent but never mixed);
///  - files of an earlier run that this run did not write are gone with the old folder;
///  - the manifest (kManifestName: every file with its size) is the last file written, so
///    verify_manifest() tells a complete folder from a damaged one;
///  - a StagedDirectory destroyed without commit() (an error, an exception) removes its stage
///    folder and leaves `target` as it was; stage folders of processes that no longer run (killed
///    while building) are removed by the next StagedDirectory of the same target.
/// By default an existing `target` is replaced only when it is empty or carries a manifest (a
/// folder written by an earlier run): a folder of other files is refused rather than deleted.
class StagedDirectory {
 public:
  struct Options {
    /// Replace an existing, non-empty `target` that has no manifest (its files are deleted).
    bool replace_foreign = false;
  };

  /// Creates the stage folder. Throws InputError (option "-o") when `target` exists and is not
  /// a folder, or is a folder of other files (see Options); SystemError when the stage folder
  /// cannot be created (a missing or read-only parent folder).
  explicit StagedDirectory(std::filesystem::path target);
  StagedDirectory(std::filesystem::path target, Options options);
  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;
  /// Without commit(): removes the stage folder (`target` is untouched).
  ~StagedDirectory();

  /// The folder to write into until commit().
  const std::filesystem::path& path() const noexcept { return stage_; }
  /// The published folder.
  const std::filesystem::path& target() const noexcept { return target_; }
  /// path() / relative, creating its parent folders inside the stage.
  std::filesystem::path file(const std::filesystem::path& relative) const;

  /// Writes the manifest, then swaps the stage in as `target` and removes the previous folder.
  /// Throws SystemError when the manifest cannot be written or the swap fails (the previous
  /// folder is then still in place). A previous folder that cannot be removed is left as a
  /// hidden stage folder, removed by a later run. Call at most once.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path stage_;
  bool committed_ = false;
};

/// One file listed by a manifest.
struct ManifestEntry {
  std::string path;         ///< relative to the folder, '/'-separated
  std::uint64_t bytes = 0;  ///< size when the manifest was written
};

/// Writes `dir`/kManifestName listing every regular file below `dir` (the manifest itself
/// excluded) with its size, through a temporary file renamed into place. Throws SystemError.
void write_manifest(const std::filesystem::path& dir);

/// Reads `dir`/kManifestName. Throws InputError when it is missing or malformed.
std::vector<ManifestEntry> read_manifest(const std::filesystem::path& dir);

/// What is wrong with `dir` against its manifest, one line each (empty: complete): a missing
/// manifest, a listed file that is missing or has another size, a file that is not listed.
/// Files named in `ignored` (relative names: a reader's own outputs, such as the report that
/// `ltv report DIR` writes back into DIR) are not checked, listed or not; with `allow_added`,
/// files the manifest does not list (added by later steps) are not problems either.
std::vector<std::string> manifest_problems(const std::filesystem::path& dir,
                                           std::span<const std::string> ignored = {},
                                           bool allow_added = false);

/// Throws InputError naming `dir` and its first problem (see manifest_problems()) unless it is
/// complete.
void verify_manifest(const std::filesystem::path& dir, std::span<const std::string> ignored = {},
                     bool allow_added = false);

}  // namespace ltv
