#include "ltv/io/staged_directory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>  // renameat2
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/files.hpp"
#include "ltv/io/json.hpp"

namespace ltv {

namespace fs = std::filesystem;

namespace {

std::atomic<unsigned> stage_counter{0};

[[noreturn]] void system_failure(const std::string& what, const fs::path& path,
                                 const std::error_code& ec) {
  throw SystemError(fmt::format("{} '{}' ({})", what, path.string(), ec.message()));
}

/// The pid in a name `.NAME.ltv-stage-PID-N` or `.NAME.ltv-old-PID-N` of a folder beside the
/// target NAME; 0 for other names.
pid_t owner_of(const std::string& entry, const std::string& name) {
  for (const char* kind : {".ltv-stage-", ".ltv-old-"}) {
    const std::string prefix = "." + name + kind;
    if (entry.rfind(prefix, 0) != 0) continue;
    const std::string rest = entry.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) return 0;
    pid_t pid = 0;
    for (std::size_t i = 0; i < dash; ++i) {
      if (rest[i] < '0' || rest[i] > '9') return 0;
      pid = pid * 10 + (rest[i] - '0');
    }
    return pid;
  }
  return 0;
}

/// Removes stage folders of `target` left by processes that no longer run.
void remove_stale_stages(const fs::path& target) {
  std::error_code ec;
  const std::string name = target.filename().string();
  for (fs::directory_iterator it(target.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    const pid_t pid = owner_of(it->path().filename().string(), name);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to ask)
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

std::string relative_name(const fs::path& file, const fs::path& dir) {
  return file.lexically_relative(dir).generic_string();
}

}  // namespace

StagedDirectory::StagedDirectory(fs::path target) : StagedDirectory(std::move(target), Options{}) {}

StagedDirectory::StagedDirectory(fs::path target, Options options) {
  std::error_code ec;
  target = fs::absolute(target, ec).lexically_normal();
  if (ec) system_failure("cannot resolve the output folder", target, ec);
  if (!target.has_filename()) target = target.parent_path();  // "out/" names "out"
  target_ = target;
  const fs::file_status status = fs::status(target_, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      parameter_error("-o", target_.string(), "an output folder (this is a file)");
    }
    const bool empty = fs::is_empty(target_, ec);
    if (!empty && !options.replace_foreign && !fs::exists(target_ / kManifestName, ec)) {
      parameter_error("-o", target_.string(),
                      fmt::format("an output folder that is empty or was written by ltv (this one "
                                  "holds other files and no {}: they would be deleted)",
                                  kManifestName));
    }
  }
  fs::create_directories(target_.parent_path(), ec);
  if (ec) system_failure("cannot create the folder of", target_, ec);
  remove_stale_stages(target_);
  stage_ = target_.parent_path() / fmt::format(".{}.ltv-stage-{}-{}", target_.filename().string(),
                                               ::getpid(), stage_counter++);
  fs::remove_all(stage_, ec);
  if (!fs::create_directory(stage_, ec) || ec) {
    if (!ec) ec = std::make_error_code(std::errc::file_exists);
    system_failure("cannot create the output folder beside", target_, ec);
  }
}

StagedDirectory::~StagedDirectory() {
  if (committed_ || stage_.empty()) return;
  std::error_code ec;
  fs::remove_all(stage_, ec);
}

fs::path StagedDirectory::file(const fs::path& relative) const {
  const fs::path path = stage_ / relative;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) system_failure("cannot create the folder of", path, ec);
  return path;
}

void StagedDirectory::commit() {
  if (committed_) throw Error("StagedDirectory::commit() called twice");
  write_manifest(stage_);
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    fs::rename(stage_, target_, ec);
    if (ec) system_failure("cannot move the new output folder into place at", target_, ec);
    committed_ = true;
    return;
  }
  // One atomic swap: a reader sees the old folder or the new one.
  if (::renameat2(AT_FDCWD, stage_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    fs::remove_all(stage_, ec);  // now the previous folder; a failure leaves a stale stage
    return;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
    system_failure("cannot swap the new output folder into place at", target_,
                   std::error_code(errno, std::generic_category()));
  }
  // No atomic exchange on this file system: the old folder steps aside, then the new one
  // takes its place (in between, the target is absent for a moment but never mixed).
  const fs::path old =
      target_.parent_path() /
      fmt::format(".{}.ltv-old-{}-{}", target_.filename().string(), ::getpid(), stage_counter++);
  fs::rename(target_, old, ec);
  if (ec) system_failure("cannot move the previous output folder aside at", target_, ec);
  fs::rename(stage_, target_, ec);
  if (ec) {
    std::error_code undo;
    fs::rename(old, target_, undo);
    system_failure("cannot move the new output folder into place at", target_, ec);
  }
  committed_ = true;
  fs::remove_all(old, ec);
}

void write_manifest(const fs::path& dir) {
  std::vector<ManifestEntry> entries;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = relative_name(it->path(), dir);
    if (name == kManifestName) continue;
    entries.push_back(ManifestEntry{name, static_cast<std::uint64_t>(it->file_size())});
  }
  if (ec) system_failure("cannot list the output folder", dir, ec);
  std::sort(entries.begin(), entries.end(),
            [](const ManifestEntry& a, const ManifestEntry& b) { return a.path < b.path; });
  nlohmann::ordered_json j;
  j["format"] = "ltvkit-manifest/1";
  j["files"] = nlohmann::ordered_json::array();
  for (const ManifestEntry& e : entries) {
    j["files"].push_back({{"path", e.path}, {"bytes", e.bytes}});
  }
  Output out((dir / kManifestName).string());
  out.stream() << j.dump(2) << '\n';
  out.close();
}

std::vector<ManifestEntry> read_manifest(const fs::path& dir) {
  const std::string path = (dir / kManifestName).string();
  const nlohmann::json j = read_json_file(path);
  const auto bad = [&](const std::string& found) {
    input_error(SourceLocation{path, 0, ""}, found,
                "a manifest {\"format\": \"ltvkit-manifest/1\", \"files\": [{\"path\": ..., "
                "\"bytes\": ...}, ...]}");
  };
  if (!j.is_object() || !j.contains("format") || j["format"] != "ltvkit-manifest/1") {
    bad("another format");
  }
  if (!j.contains("files") || !j["files"].is_array()) bad("no list of files");
  std::vector<ManifestEntry> out;
  for (const auto& f : j["files"]) {
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() || !f.contains("bytes") ||
        !f["bytes"].is_number_unsigned()) {
      bad("an entry without a path and a size");
    }
    out.push_back(ManifestEntry{f["path"].get<std::string>(), f["bytes"].get<std::uint64_t>()});
  }
  return out;
}

std::vector<std::string> manifest_problems(const fs::path& dir,
                                           std::span<const std::string> ignored, bool allow_added) {
  const auto is_ignored = [&](const std::string& name) {
    return std::find(ignored.begin(), ignored.end(), name) != ignored.end();
  };
  std::vector<std::string> problems;
  std::error_code ec;
  if (!fs::exists(dir / kManifestName, ec)) {
    problems.push_back(
        fmt::format("{}: no {} (the folder is incomplete, or was not written by "
                    "ltv)",
                    dir.string(), kManifestName));
    return problems;
  }
  std::vector<ManifestEntry> listed;
  try {
    listed = read_manifest(dir);
  } catch (const InputError& e) {
    problems.emplace_back(e.what());
    return problems;
  }
  std::vector<std::string> names;
  for (const ManifestEntry& e : listed) {
    names.push_back(e.path);
    if (is_ignored(e.path)) continue;
    const fs::path file = dir / e.path;
    const auto size = fs::file_size(file, ec);
    if (ec) {
      problems.push_back(fmt::format("{}: missing (listed in {})", e.path, kManifestName));
    } else if (size != e.bytes) {
      problems.push_back(
          fmt::format("{}: {} bytes, {} lists {} bytes", e.path, size, kManifestName, e.bytes));
    }
  }
  std::sort(names.begin(), names.end());
  if (allow_added) return problems;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = relative_name(it->path(), dir);
    if (name == kManifestName || is_ignored(name)) continue;
    if (!std::binary_search(names.begin(), names.end(), name)) {
      problems.push_back(fmt::format("{}: not listed in {}", name, kManifestName));
    }
  }
  return problems;
}

void verify_manifest(const fs::path& dir, std::span<const std::string> ignored, bool allow_added) {
  const std::vector<std::string> problems = manifest_problems(dir, ignored, allow_added);
  if (problems.empty()) return;
  input_error(SourceLocation{dir.string(), 0, ""}, problems.front(),
              fmt::format("a complete output folder: every file listed in its {} with the size "
                          "listed{} ({} problem{}; run the command that wrote it again)",
                          kManifestName, allow_added ? "" : ", and no other", problems.size(),
                          problems.size() == 1 ? "" : "s"));
}

}  // namespace ltv
