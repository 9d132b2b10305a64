#pragma once
/// Customer summaries written as CSV or JSON (the columns of `ltv summary`), a range of customers
/// at a time, formatted on two threads and written on a third: the fast path of `ltv summary`.

#include <array>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "ltv/data/summary.hpp"
#include "ltv/io/row_writer.hpp"

namespace ltv {

class SummaryCellCache;

/// Text written through a pointer, row by row: room() makes room for a row, commit() ends it.
/// The storage is kept when cleared.
class TextBuffer {
 public:
  /// A pointer to at least `n` writable bytes after the text.
  char* room(std::size_t n) {
    if (bytes_.size() - size_ < n) bytes_.resize(std::max(2 * bytes_.size(), size_ + n));
    return bytes_.data() + size_;
  }
  /// The text now ends at `end` (within the last room()).
  void commit(const char* end) noexcept { size_ = static_cast<std::size_t>(end - bytes_.data()); }
  void clear() noexcept { size_ = 0; }
  const char* data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::string bytes_;  // its size is the capacity: [0, size_) holds the text
  std::size_t size_ = 0;
};

/// Writes customer summaries (columns documented in docs/cli.md, `ltv summary`) as CSV or JSON,
/// a range of customers at a time: construct, write() consecutive ranges, finish().
class SummaryWriter {
 public:
  SummaryWriter(std::ostream& out, OutputFormat format, bool has_profit, bool has_holdout);
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;
  /// Builds and appends the rows of customers [begin, end) of `source`.
  void write(const SummaryRanges& source, std::size_t begin, std::size_t end);
  /// Ends the output (closes the JSON array) and flushes.
  void finish();

 private:
  std::ostream& out_;
  OutputFormat format_;
  std::unique_ptr<RowWriter> writer_;
  // CSV: per thread, the summaries of its half of a range, their text and its memoised cells.
  std::array<CustomerSummary, 2> parts_;
  std::array<TextBuffer, 2> texts_;
  std::array<TextBuffer, 2> written_;  // the previous range's text, being written by writing_
  std::thread writing_;
  std::array<std::unique_ptr<SummaryCellCache>, 2> caches_;
};

}  // namespace ltv
