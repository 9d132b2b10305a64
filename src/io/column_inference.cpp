// Column inference from a file's header names and first rows (see ltv/io/column_inference.hpp).
#include "ltv/io/column_inference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "ltv/error.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

namespace {

// ---- UTF-8

/// Length of the valid UTF-8 sequence starting at s[i], 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool valid_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

[[noreturn]] void not_utf8(const std::string& path, std::int64_t line, const std::string& column,
                           std::string_view text) {
  input_error(SourceLocation{path, line, column}, std::string(text),
              fmt::format("UTF-8 text: the file is in another encoding (a Windows-1251 export?); "
                          "convert it first, e.g. iconv -f WINDOWS-1251 -t UTF-8 '{}' > "
                          "converted.csv",
                          path));
}

// ---- names

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// The roles, in the order they are decided.
enum Role { customer, date, amount, quantity, price, order, product, category, channel, region };
constexpr std::array<std::string_view, 10> kRoleKeys = {"customer", "date",  "amount",  "quantity",
                                                        "price",    "order", "product", "category",
                                                        "channel",  "region"};

/// A role's names (normalised) and looser patterns.
struct RoleNames {
  std::initializer_list<std::string_view> exact;
  std::initializer_list<std::string_view> contains;  ///< tier 2: the name contains one of these
  std::initializer_list<std::string_view> suffix;    ///< tier 3: the name ends with one of these
};

const RoleNames& names_of(Role role) {
  static const std::array<RoleNames, 10> kNames = {{
      // customer
      {{"customer",      "customerid",    "customerno",  "customernumber", "customercode",
        "customerkey",   "customerref",   "client",      "clientid",       "clientcode",
        "clientno",      "clientnumber",  "user",        "userid",         "buyer",
        "buyerid",       "cust",          "custid",      "custno",         "member",
        "memberid",      "household",     "householdid", "accountid",      "contactid",
        "shopper",       "shopperid",     "personid",    "клиент",         "idклиента",
        "кодклиента",    "номерклиента",  "клиентid",    "покупатель",     "idпокупателя",
        "кодпокупателя", "инн",           "иннклиента",  "иннпокупателя",  "контрагент",
        "заказчик",      "кодконтрагента"},
       {"customer", "client", "клиент", "покупател", "email", "phone", "телефон"},
       {"id", "номеркарты"}},
      // date
      {{"date",
        "orderdate",
        "invoicedate",
        "purchasedate",
        "transactiondate",
        "saledate",
        "salesdate",
        "created",
        "createdat",
        "createddate",
        "creationdate",
        "timestamp",
        "transactiontimestamp",
        "datetime",
        "day",
        "orderedat",
        "purchasedat",
        "eventdate",
        "дата",
        "датазаказа",
        "датапокупки",
        "датапродажи",
        "датадокумента",
        "датасоздания",
        "датавремя",
        "датаивремя",
        "датачека"},
       {"date", "дата", "timestamp"},
       {}},
      // amount
      {{"amount",      "totalamount", "total",        "sum",          "sales",        "salesvalue",
        "salesamount", "revenue",     "ordervalue",   "ordertotal",   "orderamount",  "totalprice",
        "linetotal",   "linevalue",   "lineamount",   "netamount",    "grossamount",  "netsales",
        "grosssales",  "payment",     "paymentvalue", "amountpaid",   "gmv",          "spend",
        "dollarvalue", "сумма",       "суммазаказа",  "суммапродажи", "суммапокупки", "суммаруб",
        "суммасндс",   "суммаоплаты", "выручка",      "стоимость",    "итого",        "оплачено"},
       {"amount", "revenue", "сумма", "выручка"},
       {}},
      // quantity
      {{"quantity", "qty", "units", "pieces", "количество", "колво", "кол", "штук"},
       {"quantity", "qty", "количество"},
       {}},
      // price
      {{"price", "unitprice", "priceperunit", "priceeach", "itemprice", "цена", "ценазаединицу",
        "ценаруб"},
       {"price", "цена"},
       {}},
      // order
      {{"order",          "orderid",       "orderno",       "ordernumber",   "ordercode",
        "invoice",        "invoiceno",     "invoiceid",     "invoicenumber", "receipt",
        "receiptid",      "receiptno",     "checkid",       "basket",        "basketid",
        "transaction",    "transactionid", "transactionno", "txnid",         "номерзаказа",
        "заказ",          "idзаказа",      "кодзаказа",     "номерчека",     "чек",
        "номердокумента", "документ",      "номерсчета",    "счет"},
       {},
       {}},
      // product
      {{"product", "productid", "productcode", "sku", "stockcode", "item", "itemid", "itemcode",
        "article", "articleno", "товар", "артикул", "номенклатура", "кодтовара", "idтовара",
        "продукт", "услуга"},
       {},
       {}},
      // category
      {{"category", "productcategory", "categoryid", "categoryname", "категория", "категориятовара",
        "группатоваров", "группаноменклатуры", "группа"},
       {"category", "категория"},
       {}},
      // channel
      {{"channel", "saleschannel", "канал", "каналпродаж"}, {"channel", "канал"}, {}},
      // region
      {{"region", "country", "city", "store", "storeid", "shop", "shopid", "branch", "регион",
        "страна", "город", "магазин", "филиал", "точкапродаж"},
       {},
       {}},
  }};
  return kNames[role];
}

bool contains_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return s.find(p) != std::string_view::npos; });
}
bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return s.ends_with(p); });
}
bool exact_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::find(parts.begin(), parts.end(), s) != parts.end();
}

// ---- content

bool looks_like_date(std::string_view v, const DateFormat& given) {
  if (given.kind != DateFormat::Kind::automatic) return parse_datetime(v, given).has_value();
  if (parse_datetime(v, DateFormat{}).has_value()) return true;
  for (const char* day : {"%m/%d/%Y", "%d/%m/%Y"}) {
    for (const char* time : {"", " %H:%M", " %H:%M:%S"}) {
      if (parse_datetime(v, DateFormat{DateFormat::Kind::pattern, std::string(day) + time})) {
        return true;
      }
    }
  }
  return false;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// What the first rows of one column hold.
struct ColumnContent {
  bool any = false;              ///< a non-empty value
  bool dates = true;             ///< every non-empty value is a date
  bool plain = true;             ///< every non-empty value is a number with a decimal point
  bool comma = true;             ///< every non-empty value is a number with a decimal comma
  std::string first_bad_date;    ///< the first value that is not a date
  std::string first_bad_number;  ///< the first value that is a number in neither notation
};

ColumnContent content_of(const ColumnSample& sample, std::size_t column, const DateFormat& format) {
  ColumnContent c;
  if (sample.rows.empty()) {  // a header without rows: the names alone decide
    c.any = true;
    return c;
  }
  for (const auto& row : sample.rows) {
    if (column >= row.size()) continue;
    const std::string_view v = trim(row[column]);
    if (v.empty()) continue;
    c.any = true;
    if (c.dates && !looks_like_date(v, format)) {
      c.dates = false;
      c.first_bad_date = std::string(v);
    }
    const bool p = parse_number(v, false).has_value();
    const bool k = parse_number(v, true).has_value();
    c.plain = c.plain && p;
    c.comma = c.comma && k;
    if (!p && !k && c.first_bad_number.empty()) c.first_bad_number = std::string(v);
  }
  return c;
}

bool fits(Role role, const ColumnContent& c, const std::optional<bool>& decimal_comma) {
  const auto numbers = [&] {
    if (!c.any) return false;
    if (decimal_comma) return *decimal_comma ? c.comma : c.plain;
    return c.plain || c.comma;
  };
  switch (role) {
    case Role::date:
      return c.any && c.dates;
    case Role::amount:
    case Role::quantity:
    case Role::price:
      return numbers();
    default:
      return c.any;
  }
}

std::string quoted_list(const std::vector<std::string>& names, const char* last_separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last_separator : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

std::string& field_of(ColumnMapping& m, Role role) {
  switch (role) {
    case Role::customer:
      return m.customer;
    case Role::date:
      return m.date;
    case Role::amount:
      return m.amount;
    case Role::quantity:
      return m.quantity;
    case Role::price:
      return m.price;
    case Role::order:
      return m.order;
    case Role::product:
      return m.product;
    case Role::category:
      return m.category;
    case Role::channel:
      return m.channel;
    case Role::region:
      return m.region;
  }
  return m.customer;
}

const char* role_what(Role role) {
  switch (role) {
    case Role::customer:
      return "the column of the customer id (a header name or a number)";
    case Role::date:
      return "the column of the purchase date (a header name or a number)";
    default:
      return "a column";
  }
}

}  // namespace

std::string normalize_column_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const std::size_t n = utf8_length(name, i);
    if (n == 0) {  // not UTF-8: kept as it is
      out += name[i++];
      continue;
    }
    const auto c = static_cast<unsigned char>(name[i]);
    if (n == 1) {
      if (std::isalnum(c) != 0) out += static_cast<char>(std::tolower(c));
      i += 1;
      continue;
    }
    std::uint32_t cp = 0;
    if (n == 2) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3Fu);
    } else if (n == 3) {
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(name[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(name[i + 2]) & 0x3Fu);
    } else {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(name[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(name[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(name[i + 3]) & 0x3Fu);
    }
    i += n;
    if (cp >= 0x0410 && cp <= 0x042F) cp += 0x20;   // А-Я -> а-я
    if (cp == 0x0401 || cp == 0x0451) cp = 0x0435;  // Ё, ё -> е
    if (cp == 0x2116) {                             // №
      out += "номер";
      continue;
    }
    // Spaces and punctuation outside ASCII (NBSP, dashes, quotes) are dropped; letters kept.
    if (cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x206F) || cp == 0x00AB || cp == 0x00BB) continue;
    append_utf8(out, cp);
  }
  return out;
}

ColumnSample read_column_sample(const std::string& path, CsvOptions options, std::size_t max_rows) {
  options.allow_ragged = true;
  CsvReader reader(path, options);
  ColumnSample sample;
  sample.source = path;
  sample.header = reader.header();
  sample.delimiter = reader.delimiter();
  CsvRecord record;
  std::size_t bytes = 0;
  while (sample.rows.size() < max_rows && bytes < kMaxSampleBytes && reader.next(record)) {
    std::vector<std::string> row;
    row.reserve(record.size());
    for (std::size_t i = 0; i < record.size(); ++i) {
      row.emplace_back(record[i]);
      bytes += record[i].size() + sizeof(std::string);
    }
    sample.rows.push_back(std::move(row));
    sample.lines.push_back(record.line);
  }
  return sample;
}

void check_utf8(const ColumnSample& sample) {
  for (const std::string& name : sample.header) {
    if (!valid_utf8(name)) not_utf8(sample.source, 1, "", name);
  }
  for (std::size_t r = 0; r < sample.rows.size(); ++r) {
    const auto& row = sample.rows[r];
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (valid_utf8(row[i])) continue;
      not_utf8(sample.source, sample.lines[r],
               i < sample.header.size() ? sample.header[i] : fmt::format("#{}", i + 1), row[i]);
    }
  }
}

std::string ColumnInference::describe() const {
  std::string out;
  bool amount_shown = false;
  for (const InferredRole& r : roles) {
    if (r.role == "quantity" || r.role == "price") {
      // Shown as the amount when there is no amount column.
      if (!columns.amount.empty() || columns.quantity.empty() || columns.price.empty()) {
        out += (out.empty() ? "" : ", ") + r.role + " <- " + r.column;
      } else if (!amount_shown) {
        out += (out.empty() ? "" : ", ") + std::string("amount <- ") + columns.quantity + " x " +
               columns.price;
        amount_shown = true;
      }
      continue;
    }
    out += (out.empty() ? "" : ", ") + r.role + " <- " + r.column;
  }
  if (!date_format.empty()) out += "; dates " + date_format;
  if (decimal_comma_detected) out += "; decimal comma";
  return out;
}

ColumnInference infer_columns(const ColumnSample& sample, const ColumnInferenceOptions& options) {
  const std::size_t width = sample.header.size();
  std::vector<std::string> norm(width);
  for (std::size_t i = 0; i < width; ++i) norm[i] = normalize_column_name(sample.header[i]);
  // The content of a column is looked at only when its name makes it a candidate (a file may
  // have thousands of columns).
  std::vector<std::optional<ColumnContent>> contents(width);
  const auto content = [&](std::size_t i) -> const ColumnContent& {
    if (!contents[i]) contents[i] = content_of(sample, i, options.date_format);
    return *contents[i];
  };

  ColumnInference result;
  result.columns = options.given;
  std::vector<bool> taken(width, false);
  // Columns given explicitly are not candidates. Found as the loader finds them: a number is a
  // position, else the exact name, else the name in any ASCII case.
  const auto index_of = [&](const std::string& spec) -> std::optional<std::size_t> {
    std::string_view digits = spec;
    if (digits.starts_with('#')) digits.remove_prefix(1);
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
      if (n >= 1 && n <= width) return n - 1;
      return std::nullopt;
    }
    for (std::size_t i = 0; i < width; ++i) {
      if (sample.header[i] == spec) return i;
    }
    const auto iequals = [](std::string_view a, std::string_view b) {
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
             });
    };
    for (std::size_t i = 0; i < width; ++i) {
      if (iequals(sample.header[i], spec)) return i;
    }
    return std::nullopt;
  };
  for (int r = 0; r < static_cast<int>(kRoleKeys.size()); ++r) {
    const std::string& spec = field_of(result.columns, static_cast<Role>(r));
    if (spec.empty()) continue;
    if (auto i = index_of(spec)) taken[*i] = true;
  }
  for (const std::string* extra : {&options.given.margin, &options.given.cost}) {
    if (!extra->empty()) {
      if (auto i = index_of(*extra)) taken[*i] = true;
    }
  }
  // A column that is a strong name of some role is no weak candidate of another.
  std::vector<bool> strong_somewhere(width, false);
  for (std::size_t i = 0; i < width; ++i) {
    for (int r = 0; r < static_cast<int>(kRoleKeys.size()); ++r) {
      if (exact_any(norm[i], names_of(static_cast<Role>(r)).exact)) strong_somewhere[i] = true;
    }
  }

  const auto allowed = [&](Role role) {
    if (role <= Role::price) return true;
    return std::find(options.optional_roles.begin(), options.optional_roles.end(),
                     kRoleKeys[role]) != options.optional_roles.end();
  };
  // Candidates of a role: strong ones if any fit, else weak ones. Name-matched columns whose
  // content does not fit are kept for the message when nothing else is found.
  struct Found {
    std::vector<std::size_t> fit;
    std::vector<std::size_t> misfit;
  };
  const auto candidates = [&](Role role) {
    const RoleNames& names = names_of(role);
    // Three tiers: the role's names, then names containing one of its words, then names with
    // one of its endings (a bare `id`); the first tier with a fitting column decides.
    std::array<Found, 3> tiers;
    for (std::size_t i = 0; i < width; ++i) {
      if (taken[i] || norm[i].empty()) continue;
      int tier = -1;
      if (exact_any(norm[i], names.exact)) {
        tier = 0;
      } else if (!strong_somewhere[i] && contains_any(norm[i], names.contains)) {
        tier = 1;
      } else if (!strong_somewhere[i] && ends_with_any(norm[i], names.suffix)) {
        tier = 2;
      }
      if (tier < 0) continue;
      Found& f = tiers[static_cast<std::size_t>(tier)];
      (fits(role, content(i), options.decimal_comma) ? f.fit : f.misfit).push_back(i);
    }
    Found result;
    for (Found& f : tiers) {
      if (!f.fit.empty()) {
        result.fit = std::move(f.fit);
        break;
      }
    }
    for (const Found& f : tiers) {
      result.misfit.insert(result.misfit.end(), f.misfit.begin(), f.misfit.end());
    }
    return result;
  };
  const auto header_names = [&](const std::vector<std::size_t>& columns) {
    std::vector<std::string> out;
    for (std::size_t i : columns) out.push_back(sample.header[i]);
    return out;
  };
  const auto all_columns = [&] {
    std::string out;
    for (const std::string& h : sample.header) out += (out.empty() ? "" : ", ") + h;
    return out;
  };

  std::array<std::optional<std::size_t>, 10> chosen{};
  for (int r = 0; r < static_cast<int>(kRoleKeys.size()); ++r) {
    const Role role = static_cast<Role>(r);
    const std::string key(kRoleKeys[role]);
    if (!field_of(result.columns, role).empty() || !allowed(role)) continue;
    const Found found = candidates(role);
    if (found.fit.size() > 1) {
      parameter_error(key, "",
                      fmt::format("one column, but the {} column is ambiguous: {}; say which", key,
                                  quoted_list(header_names(found.fit), " or ")));
    }
    if (found.fit.size() == 1) {
      chosen[role] = found.fit.front();
      taken[found.fit.front()] = true;
      continue;
    }
    if (role != Role::customer && role != Role::date && !found.misfit.empty()) {
      // A column named for the role whose first rows do not fit it: said, not silently dropped.
      const std::size_t i = found.misfit.front();
      const ColumnContent& c = content(i);
      std::string why = "it is empty in the first rows";
      if (c.any && (role == Role::amount || role == Role::quantity || role == Role::price)) {
        why = c.first_bad_number.empty()
                  ? std::string(
                        "its first rows mix decimal points and decimal commas, or do "
                        "not fit --decimal-comma as given")
                  : fmt::format("it holds '{}', not a number", c.first_bad_number);
      }
      result.notes.push_back(
          fmt::format("'{}' is not used as the {} column: {}", sample.header[i], key, why));
      continue;
    }
    if (role == Role::customer || role == Role::date) {
      std::string why;
      if (!found.misfit.empty()) {
        const std::size_t i = found.misfit.front();
        why = fmt::format(" ('{}' {})", sample.header[i],
                          content(i).any
                              ? fmt::format("holds '{}', not a date", content(i).first_bad_date)
                              : "is empty in the first rows");
      }
      // A first line of numbers and dates is no header: say so.
      const bool data_line =
          width > 0 && std::all_of(sample.header.begin(), sample.header.end(), [&](const auto& h) {
            return parse_number(h).has_value() || looks_like_date(h, DateFormat{});
          });
      parameter_error(
          key, "",
          fmt::format("{}: no column of {} is recognised as one{}; its columns: {}{}",
                      role_what(role), sample.source, why, all_columns(),
                      data_line ? " (the first line looks like data: without a header line, give "
                                  "--no-header and the columns by number)"
                                : ""));
    }
  }

  // No amount column: quantity x price, or a price column alone as the line's amount.
  if (result.columns.amount.empty() && !chosen[Role::amount] && chosen[Role::price] &&
      !chosen[Role::quantity] && result.columns.quantity.empty()) {
    chosen[Role::amount] = chosen[Role::price];
    chosen[Role::price].reset();
  }
  for (int r = 0; r < static_cast<int>(kRoleKeys.size()); ++r) {
    if (chosen[r]) field_of(result.columns, static_cast<Role>(r)) = sample.header[*chosen[r]];
  }
  for (int r = 0; r < static_cast<int>(kRoleKeys.size()); ++r) {
    const Role role = static_cast<Role>(r);
    const std::string& column = field_of(result.columns, role);
    if (!column.empty())
      result.roles.push_back(
          InferredRole{std::string(kRoleKeys[r]), column, chosen[r].has_value()});
  }

  // Day/month order: the loader's automatic format looks at the first date only, which may not
  // tell 12/1/2010 (December 1st or January 12th?); the first rows together may.
  if (options.date_format.kind == DateFormat::Kind::automatic && chosen[Role::date]) {
    std::vector<std::string_view> values;
    for (const auto& row : sample.rows) {
      if (*chosen[Role::date] < row.size()) values.push_back(row[*chosen[Role::date]]);
    }
    const auto detected = detect_date_format(values);
    if (detected && detected->kind == DateFormat::Kind::pattern) {
      result.date_format = detected->pattern;
    }
  }

  // The decimal mark: given, or detected from the numeric columns used.
  if (options.decimal_comma) {
    result.decimal_comma = *options.decimal_comma;
  } else {
    bool all_plain = true, all_comma = true;
    std::vector<std::string> used;
    for (Role role : {Role::amount, Role::quantity, Role::price}) {
      const std::string& column = field_of(result.columns, role);
      if (column.empty()) continue;
      const auto i = index_of(column);
      if (!i) continue;
      all_plain = all_plain && content(*i).plain;
      all_comma = all_comma && content(*i).comma;
      used.push_back(sample.header[*i]);
    }
    if (!all_plain && all_comma) {
      result.decimal_comma = true;
      result.decimal_comma_detected = true;
    } else if (!all_plain && !all_comma) {
      parameter_error("decimal_comma", "",
                      fmt::format("one decimal mark for the numeric columns {}: their first rows "
                                  "mix decimal points and decimal commas",
                                  quoted_list(used, " and ")));
    }
  }
  return result;
}

}  // namespace ltv
