#include "ltv/io/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

namespace {

const char* file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

int open_input_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (for ever, if none
  // comes) before fstat could tell what it is. It has no effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    input_error(SourceLocation{}, path, fmt::format("a readable file ({})", std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    input_error(SourceLocation{}, path, fmt::format("a readable file ({})", std::strerror(error)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    input_error(SourceLocation{path, 0, ""}, file_type(st.st_mode),
                "a regular file (use '-' to read standard input from a pipe)");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

std::string read_text_file(const std::string& path, std::uint64_t max_bytes) {
  const bool stdin_input = path == "-";
  const int fd = stdin_input ? 0 : open_input_file(path);
  std::string text;
  char block[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, block, sizeof block);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      if (!stdin_input) ::close(fd);
      input_error(SourceLocation{path, 0, ""}, path,
                  fmt::format("a readable file ({})", std::strerror(error)));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      if (!stdin_input) ::close(fd);
      input_error(SourceLocation{path, 0, ""}, fmt::format("more than {} bytes", max_bytes),
                  fmt::format("a file of at most {} bytes", max_bytes));
    }
    text.append(block, static_cast<std::size_t>(n));
  }
  if (!stdin_input) ::close(fd);
  return text;
}

void check_output_not_input(const std::string& output, std::span<const std::string> inputs,
                            const std::string& option) {
  namespace fs = std::filesystem;
  if (output.empty() || output == "-") return;
  struct stat out {};
  if (::stat(output.c_str(), &out) != 0) return;  // not there yet: it holds no input
  for (const std::string& input : inputs) {
    if (input.empty() || input == "-") continue;
    struct stat in {};
    if (::stat(input.c_str(), &in) != 0) continue;  // reported when the input is read
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      parameter_error(
          option, output,
          fmt::format("an output other than the input {} (it would be overwritten while "
                      "it is read)",
                      input));
    }
    if (!S_ISDIR(out.st_mode)) continue;
    // A folder output: refuse it when an input lies anywhere below it.
    std::error_code ec;
    fs::path dir = fs::weakly_canonical(fs::absolute(input, ec), ec);
    if (ec) continue;
    for (dir = dir.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino) {
        parameter_error(option, output,
                        fmt::format("an output folder that does not hold the input {} (its files "
                                    "would be replaced while they are read)",
                                    input));
      }
      if (dir == dir.root_path()) break;
    }
  }
}

}  // namespace ltv
