// Output: command output to a file (written to a temporary name and renamed into place when
// complete; large outputs written with O_DIRECT) or stdout.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>
#include <memory>
#include <streambuf>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"

namespace ltv {
namespace detail {

/// The stream buffer of an output file: see Output. Not thread-safe (like any streambuf).
///
/// Once the output outgrows one buffer, a second one is filled while the first is written on
/// another thread (one write in flight at a time, so the file gets the blocks in order): the
/// formatting and the copying into the buffer overlap the disk transfer.
class FileBuffer final : public std::streambuf {
 public:
  static constexpr std::size_t kAlign = 4096;  // O_DIRECT offsets, sizes and addresses
  static constexpr std::size_t kSize = std::size_t{8} << 20;

  explicit FileBuffer(int fd) : fd_(fd) {
    buffers_[0].reset(allocate());
    setp(buffers_[0].get(), buffers_[0].get() + kSize);
  }
  FileBuffer(const FileBuffer&) = delete;
  FileBuffer& operator=(const FileBuffer&) = delete;
  ~FileBuffer() override { abandon(); }

  /// Writes what is buffered and closes the file. Returns the first error (errno), 0 if none.
  int finish() {
    write_pending();
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
  }

  /// Closes the file without writing what is buffered (the output is being discarded).
  void abandon() noexcept {
    if (writing_.valid()) writing_.wait();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!write_full()) return traits_type::eof();
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
    return ch;
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::streamsize done = 0;
    while (done < n) {
      if (pptr() == epptr() && !write_full()) return done;
      const auto room = static_cast<std::streamsize>(epptr() - pptr());
      const std::streamsize k = std::min(room, n - done);
      std::memcpy(pptr(), s + done, static_cast<std::size_t>(k));
      pbump(static_cast<int>(k));
      done += k;
    }
    return done;
  }

  // A flush leaves the data in the buffer: it reaches the file when the buffer fills and in
  // finish() (which reports errors). Writing an unaligned amount, such as a header flushed on its
  // own, would leave the file offset unaligned for the direct writes after it.
  int sync() override { return 0; }

 private:
  struct Free {
    void operator()(char* p) const noexcept { std::free(p); }
  };

  static char* allocate() {
    auto* p = static_cast<char*>(std::aligned_alloc(kAlign, kSize));
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }

  /// Waits for the write in flight (its error, if any, is in error_).
  void wait() {
    if (writing_.valid()) writing_.get();
  }

  /// The buffer is full: hand it to a background write and go on in the other one.
  bool write_full() {
    if (!buffers_[1]) {
      // The output outgrew the buffer: from here on, full blocks bypass the page cache if the
      // file system allows it (not tmpfs, for one).
      buffers_[1].reset(allocate());
      const int flags = ::fcntl(fd_, F_GETFL);
      direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
    }
    wait();
    if (error_ != 0) return false;
    const char* block = pbase();
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    writing_ = std::async(std::launch::async, [this, block, n] { write_out(block, n); });
    active_ ^= 1;
    setp(buffers_[active_].get(), buffers_[active_].get() + kSize);
    return true;
  }

  /// Writes what is buffered: the full blocks (directly if on), then the rest through the cache.
  bool write_pending() {
    wait();
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    const std::size_t blocks = direct_ ? n / kAlign * kAlign : 0;
    bool ok = write_out(pbase(), blocks);
    if (n > blocks) {
      set_direct(false);
      ok = write_out(pbase() + blocks, n - blocks) && ok;
    }
    setp(pbase(), pbase() + kSize);
    return ok;
  }

  void set_direct(bool on) {
    if (direct_ == on || fd_ < 0) return;
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT);
    direct_ = on;
  }

  bool write_out(const char* p, std::size_t n) {
    if (error_ != 0) return false;
    if (n == 0) return true;
    if (fd_ < 0) return false;
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EINVAL && direct_) {
        set_direct(false);  // the device wants another alignment: write through the cache
        continue;
      }
      if (w <= 0) {
        error_ = w < 0 ? errno : EIO;
        return false;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }

  int fd_ = -1;
  std::array<std::unique_ptr<char, Free>, 2> buffers_;
  int active_ = 0;             // the buffer being filled
  std::future<void> writing_;  // the other one's write, while in flight
  // Owned by the write in flight while there is one.
  bool direct_ = false;
  int error_ = 0;
};

}  // namespace detail

namespace {

/// A name for the temporary file of `target` in the same folder (so that rename() is atomic):
/// `.NAME.ltv-tmp-PID-N`, hidden and recognisable.
std::string temporary_name(const std::string& target) {
  static std::atomic<unsigned> counter{0};
  const std::size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : target.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? target : target.substr(slash + 1);
  return fmt::format("{}.{}.ltv-tmp-{}-{}", dir, name, ::getpid(), counter++);
}

[[noreturn]] void cannot_create(const std::string& path, int error) {
  parameter_error("-o", path,
                  fmt::format("a file that can be created for writing ({})", std::strerror(error)));
}

}  // namespace

Output::Output(const std::string& path) : path_(path.empty() ? "-" : path) {
  if (path_ == "-") {
    stdout_ = &std::cout;
    return;
  }
  // The file that is finally replaced: a symbolic link is followed (the link stays a link).
  std::string target = path_;
  struct stat st {};
  bool exists = ::stat(path_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    parameter_error("-o", path_, "an output file name (this is a directory)");
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO): written in place, as there is nothing
    // to keep intact and a rename would replace the device itself.
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) cannot_create(path_, errno);
    buffer_ = std::make_unique<detail::FileBuffer>(fd);
    file_ = std::make_unique<std::ostream>(buffer_.get());
    return;
  }
  if (exists) {
    if (char* real = ::realpath(path_.c_str(), nullptr)) {
      target = real;
      std::free(real);
    }
  }
  // Everything is written to a temporary file beside the target, renamed over it by close():
  // a reader (or a run that fails or is killed half-way) never sees half a file, and the
  // previous file stays as it was until the new one is complete.
  temporary_ = temporary_name(target);
  target_ = target;
  const int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) cannot_create(path_, errno);
  if (exists) ::fchmod(fd, st.st_mode & 07777);  // the replaced file's permissions
  buffer_ = std::make_unique<detail::FileBuffer>(fd);
  file_ = std::make_unique<std::ostream>(buffer_.get());
}

Output::~Output() {
  // Not closed (an exception, a failed write): the temporary file goes, the target stays as it
  // was.
  if (buffer_) buffer_->abandon();
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void Output::close() {
  if (!file_) {
    std::cout.flush();
    if (!std::cout) throw SystemError(fmt::format("could not write output to '{}'", path_));
    return;
  }
  // The stream stays (writers holding it may still flush it, which does nothing now).
  const int error = buffer_->finish();
  const bool stream_ok = static_cast<bool>(*file_);
  if (error != 0 || !stream_ok) {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
    temporary_.clear();
    throw SystemError(fmt::format("could not write output to '{}' ({})", path_,
                                  std::strerror(error != 0 ? error : EIO)));
  }
  if (temporary_.empty()) return;  // a device or a pipe, written in place
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
    const int rename_error = errno;
    ::unlink(temporary_.c_str());
    temporary_.clear();
    throw SystemError(
        fmt::format("could not write output to '{}' (renaming its temporary file "
                    "failed: {})",
                    path_, std::strerror(rename_error)));
  }
  temporary_.clear();
}

}  // namespace ltv
