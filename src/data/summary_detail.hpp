#pragma once
// Internals shared by the summary paths (src/data/summary.cpp, summary_table.cpp).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "ltv/data/summary.hpp"

namespace ltv::detail {

/// The summary's header fields (everything but the per-customer columns) of loaded lines on days
/// first .. last (unset: no lines, and only the time unit is set). Throws as summarize().
CustomerSummary summary_header(std::optional<std::int32_t> first, std::optional<std::int32_t> last,
                               bool has_amount, bool has_profit, const SummaryOptions& options);

/// Sets the header fields of `out` to those of `header`.
void copy_header(const CustomerSummary& header, CustomerSummary& out);

/// The 16 bytes by which ids are first compared: the length (2 bytes, big-endian, at most
/// 65535) and the first 14 bytes, zero-padded. Ids compare in id_before() order as these bytes
/// do, then (when these are equal) as the rest of the ids.
std::array<unsigned char, 16> id_prefix(std::string_view id) noexcept;

/// A position to sort by id: 8 bytes of its id's prefix as the key, then the id itself.
struct IdSortEntry {
  std::uint32_t key_high = 0, key_low = 0;  // 12 bytes in all (millions are sorted at once)
  std::uint32_t index = 0;
};

/// The keys of a set of ids: the 8 bytes of id_prefix() that differ between the ids, in order,
/// so that ids that share their length and first bytes (C00000001 .. C20000000) are told apart
/// by the key alone. Equal keys leave the order to the ids.
class IdKeys {
 public:
  IdKeys(std::size_t n, const std::function<std::string_view(std::uint32_t)>& id);
  IdSortEntry entry(std::string_view id, std::uint32_t index) const noexcept;

 private:
  std::array<unsigned char, 8> positions_{};
  std::size_t used_ = 0;
};

/// Sorts `entries` (on two threads) and writes their indices in id_before() order of
/// id(index) into `order` (ties: by index).
void sort_id_entries(std::vector<IdSortEntry>& entries,
                     const std::function<std::string_view(std::uint32_t)>& id,
                     std::vector<std::uint32_t>& order);

}  // namespace ltv::detail
