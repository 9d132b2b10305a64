// Output: command output to a file (large outputs written with O_DIRECT) or stdout.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <streambuf>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"

namespace ltv {
namespace detail {

/// The stream buffer of an output file: see Output. Not thread-safe (like any streambuf).
class FileBuffer final : public std::streambuf {
 public:
  static constexpr std::size_t kAlign = 4096;  // O_DIRECT offsets, sizes and addresses
  static constexpr std::size_t kSize = std::size_t{8} << 20;

  explicit FileBuffer(int fd) : fd_(fd) {
    data_ = static_cast<char*>(std::aligned_alloc(kAlign, kSize));
    if (data_ == nullptr) throw std::bad_alloc();
    setp(data_, data_ + kSize);
  }
  FileBuffer(const FileBuffer&) = delete;
  FileBuffer& operator=(const FileBuffer&) = delete;
  ~FileBuffer() override {
    if (fd_ >= 0) {
      write_pending();
      ::close(fd_);
    }
    std::free(data_);
  }

  /// Writes what is buffered and closes the file. Returns the first error (errno), 0 if none.
  int finish() {
    write_pending();
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    return error_;
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
  // finish(). (Writing an unaligned amount, such as a header flushed on its own, would leave the
  // file offset unaligned for the direct writes after it.)
  int sync() override { return error_ == 0 ? 0 : -1; }

 private:
  /// The buffer is full: write it (directly when possible) and start it again.
  bool write_full() {
    if (!direct_tried_) {
      // The output outgrew the buffer: from here on, full blocks bypass the page cache if the file
      // system allows it (not tmpfs, for one).
      direct_tried_ = true;
      const int flags = ::fcntl(fd_, F_GETFL);
      direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
    }
    const bool ok = write_out(data_, static_cast<std::size_t>(pptr() - data_));
    setp(data_, data_ + kSize);
    return ok;
  }

  /// Writes what is buffered: the full blocks (directly if on), then the rest through the cache.
  bool write_pending() {
    const auto n = static_cast<std::size_t>(pptr() - data_);
    const std::size_t blocks = direct_ ? n / kAlign * kAlign : 0;
    bool ok = write_out(data_, blocks);
    if (n > blocks) {
      set_direct(false);
      ok = write_out(data_ + blocks, n - blocks) && ok;
    }
    setp(data_, data_ + kSize);
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
  char* data_ = nullptr;
  bool direct_tried_ = false;
  bool direct_ = false;
  int error_ = 0;
};

}  // namespace detail

Output::Output(const std::string& path) : path_(path.empty() ? "-" : path) {
  if (path_ == "-") {
    stdout_ = &std::cout;
    return;
  }
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    option_error("-o", path_,
                 fmt::format("a file that can be created for writing ({})", std::strerror(errno)));
  }
  buffer_ = std::make_unique<detail::FileBuffer>(fd);
  file_ = std::make_unique<std::ostream>(buffer_.get());
}

Output::~Output() = default;  // the buffer writes what it holds and closes the file

void Output::close() {
  if (!file_) {
    std::cout.flush();
    if (!std::cout) throw Error(fmt::format("could not write output to '{}'", path_));
    return;
  }
  const int error = buffer_->finish();
  if (error != 0 || !*file_) {
    throw Error(fmt::format("could not write output to '{}' ({})", path_,
                            std::strerror(error != 0 ? error : EIO)));
  }
}

}  // namespace ltv
