#pragma once
/// Rows handed on one at a time as a source is read, in place of a TransactionLog: the seam
/// between io (which parses and validates them, `stream_transactions` in ltv/io/load.hpp) and
/// data (which summarises them, ltv/data/summary.hpp). Below both, so that data does not depend
/// on io.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ltv {

/// Which optional values the rows of a read carry (from the column mapping).
struct RowLayout {
  bool amount = false;            ///< an amount (or quantity x price) column
  bool quantity = false;          ///< a quantity column
  bool profit = false;            ///< a margin or cost column
  bool order = false;             ///< an order id column
  std::size_t expected_rows = 0;  ///< about how many rows the read holds (0 = unknown): a hint
};

/// One loaded row (it passed validation and the returns policy). The texts point into the
/// reader's buffer: valid only during RowSink::add().
struct LoadedRow {
  std::string_view customer;  ///< trimmed customer id ("" without a customer column)
  std::int32_t day = 0;       ///< days since 1970-01-01 (0 without a date column)
  std::int32_t second = 0;    ///< seconds since midnight, when has_time
  bool has_time = false;
  double amount = 0;  ///< 0 unless RowLayout::amount
  double quantity = 0;
  double profit = 0;
  std::string_view order;  ///< trimmed order id, when RowLayout::order
};

/// Takes the rows of a read in input order, in place of a TransactionLog.
class RowSink {
 public:
  virtual ~RowSink() = default;
  /// Called before the first row of every read: a read may start over (when a parallel read
  /// must be repeated sequentially), and then the sink forgets the rows it was given before.
  /// false = the sink cannot take this input (nothing is read).
  virtual bool start(const RowLayout& layout) = 0;
  /// One loaded row. false = the sink cannot go on with this input (the read stops).
  virtual bool add(const LoadedRow& row) = 0;
  /// Called once the read has handed on its last row (not when it stopped early or threw), so
  /// that a sink can pass on what it buffered. false = the sink cannot take this input.
  virtual bool finish() { return true; }
};

}  // namespace ltv
