#include "ltv/io/csv.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows read_text(std::string text, CsvOptions options = {}, Delimiter* detected = nullptr,
               std::vector<std::int64_t>* lines = nullptr) {
  CsvReader reader = CsvReader::from_string(std::move(text), options, "t.csv");
  Rows rows;
  if (options.has_header) rows.emplace_back(reader.header());
  CsvRecord record;
  while (reader.next(record)) {
    rows.emplace_back(record.fields.begin(), record.fields.end());
    if (lines) lines->push_back(record.line);
  }
  if (detected) *detected = reader.delimiter();
  return rows;
}

TEST(CsvReader, ReadsEachExplicitDelimiter) {
  const std::vector<std::pair<Delimiter, std::string>> cases = {
      {Delimiter::comma, "a,b\n1,2\n"},
      {Delimiter::semicolon, "a;b\n1;2\n"},
      {Delimiter::tab, "a\tb\n1\t2\n"},
      {Delimiter::pipe, "a|b\n1|2\n"},
      {Delimiter::whitespace, "  a   b\n 1  2  \n"}};
  for (const auto& [delimiter, text] : cases) {
    CsvOptions options;
    options.delimiter = delimiter;
    Rows rows = read_text(text, options);
    EXPECT_EQ(rows, (Rows{{"a", "b"}, {"1", "2"}})) << to_string(delimiter);
  }
}

TEST(CsvReader, DetectsDelimiterFromFirstLines) {
  Delimiter d{};
  read_text("a;b;c\n1;2,5;3\n4;5;6\n", {}, &d);
  EXPECT_EQ(d, Delimiter::semicolon);
  read_text("a,b\n\"x;y\",2\n", {}, &d);
  EXPECT_EQ(d, Delimiter::comma);
  read_text("a\tb\n1\t2\n", {}, &d);
  EXPECT_EQ(d, Delimiter::tab);
  read_text("a|b\n1|2\n", {}, &d);
  EXPECT_EQ(d, Delimiter::pipe);
  Rows rows = read_text(
      " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n", {}, &d);
  EXPECT_EQ(d, Delimiter::whitespace);
  EXPECT_EQ(rows, (Rows{{"customer_id", "date", "number_of_cds", "dollar_value"},
                        {"00001", "19970101", "1", "11.77"}}));
}

TEST(CsvReader, QuotedFieldsWithDelimiterQuoteAndNewline) {
  std::vector<std::int64_t> lines;
  Rows rows = read_text("id,text,n\n1,\"a, \"\"b\"\"\",2\n2,\"line1\nline2\",3\n3,plain,4\n", {},
                        nullptr, &lines);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "a, \"b\"", "2"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "line1\nline2", "3"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"3", "plain", "4"}));
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3, 5}));  // physical lines
}

TEST(CsvReader, SkipsBomAndHandlesCrlfAndMissingFinalNewline) {
  Rows rows = read_text("\xEF\xBB\xBFid,v\r\n1,\"x\"\r\n\r\n2,y", {});
  EXPECT_EQ(rows, (Rows{{"id", "v"}, {"1", "x"}, {"2", "y"}}));
}

TEST(CsvReader, EmptyFieldsAndTrailingDelimiter) {
  Rows rows = read_text("a,b,c\n,,\n1,,\n", {});
  EXPECT_EQ(rows, (Rows{{"a", "b", "c"}, {"", "", ""}, {"1", "", ""}}));
}

TEST(CsvReader, EmptyInputHasNoHeaderAndNoRecords) {
  Rows rows = read_text("", {});
  EXPECT_EQ(rows, (Rows{{}}));
  CsvOptions no_header;
  no_header.has_header = false;
  EXPECT_TRUE(read_text("\n\n", no_header).empty());
}

TEST(CsvReader, RaggedRowFailsWithLineNumber) {
  try {
    read_text("a,b\n1,2\n3,4\n5\n", {});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().file, "t.csv");
    EXPECT_NE(std::string(e.what()).find("2 fields"), std::string::npos) << e.what();
  }
  CsvOptions ragged;
  ragged.allow_ragged = true;
  ragged.has_header = false;
  EXPECT_EQ(read_text("a,b\nc\n", ragged), (Rows{{"a", "b"}, {"c"}}));
}

TEST(CsvReader, UnterminatedQuoteFailsNamingTheOpeningLine) {
  try {
    read_text("a,b\n1,2\n3,\"open\n4,5\n", {});
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_NE(std::string(e.what()).find("closing quote"), std::string::npos) << e.what();
  }
}

TEST(CsvReader, TextAfterClosingQuoteFails) {
  EXPECT_THROW(read_text("a,b\n\"x\"y,2\n", {}), InputError);
}

TEST(CsvReader, RecordsLongerThanABlockAndManyRows) {
  std::string big(3 << 20, 'x');
  std::string text = "a,b\n1,\"" + big + "\"\n";
  for (int i = 0; i < 200000; ++i) text += std::to_string(i) + ",v" + std::to_string(i) + "\n";
  CsvReader reader = CsvReader::from_string(text, {}, "big.csv");
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record[1].size(), big.size());
  int n = 0;
  while (reader.next(record)) {
    ASSERT_EQ(record[0], std::to_string(n));
    ASSERT_EQ(record.line, n + 3);
    ++n;
  }
  EXPECT_EQ(n, 200000);
}

std::string gzip(const std::string& text) {
  z_stream s{};
  deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, text.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = static_cast<uInt>(text.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(CsvReader, ReadsGzipByMagicBytesWhateverTheName) {
  std::string text = "id,v\n";
  for (int i = 0; i < 50000; ++i)
    text += std::to_string(i) + ",\"q,\"\"" + std::to_string(i) + "\"\n";
  auto dir = test::temp_dir("csv_gzip");
  auto path = dir / "data.csv";  // no .gz suffix on purpose
  std::ofstream(path, std::ios::binary) << gzip(text);
  CsvReader reader(path.string());
  CsvRecord record;
  int n = 0;
  while (reader.next(record)) {
    ASSERT_EQ(record[1], "q,\"" + std::to_string(n));
    ++n;
  }
  EXPECT_EQ(n, 50000);
  // A truncated gzip file is an error, not a silently short read.
  std::string z = gzip(text);
  std::ofstream(dir / "cut.csv.gz", std::ios::binary) << z.substr(0, z.size() / 2);
  EXPECT_THROW(read_all_records((dir / "cut.csv.gz").string()), InputError);
}

TEST(CsvReader, MissingFileIsAnInputError) {
  EXPECT_THROW(CsvReader("/nonexistent/file.csv"), InputError);
}

TEST(CsvReader, ParsesDelimiterOption) {
  EXPECT_EQ(parse_delimiter("tab"), Delimiter::tab);
  EXPECT_EQ(parse_delimiter(";"), Delimiter::semicolon);
  EXPECT_EQ(parse_delimiter("whitespace"), Delimiter::whitespace);
  EXPECT_THROW(parse_delimiter("::"), InputError);
}

TEST(CsvReader, ReadsCdnowMasterWithHeaderLine) {
  CsvReader reader(test::shared_data("cdnow/CDNOW_master.txt").string());
  EXPECT_EQ(reader.delimiter(), Delimiter::whitespace);
  EXPECT_EQ(reader.header(),
            (std::vector<std::string>{"customer_id", "date", "number_of_cds", "dollar_value"}));
  CsvRecord record;
  std::int64_t rows = 0;
  while (reader.next(record)) ++rows;
  EXPECT_EQ(rows, 69659);
}

TEST(CsvWriter, QuotesWhenNeededAndWritesShortestNumbers) {
  std::ostringstream out;
  {
    CsvWriter w(out);
    w.row({"id", "text", "x"});
    w.field("a").field("b,\"c\"").field(0.1).end_row();
    w.field(std::int64_t{42}).field("line\nbreak").field(30.428571428571427).end_row();
    w.field("z").empty().field(std::numeric_limits<double>::quiet_NaN()).end_row();
    w.field(-0.0).field(1e21).field(2.5).end_row();
  }
  EXPECT_EQ(out.str(),
            "id,text,x\na,\"b,\"\"c\"\"\",0.1\n42,\"line\nbreak\",30.428571428571427\nz,,\n"
            "0,1e+21,2.5\n");
  // What we write, we read back.
  Rows rows = read_text(out.str(), {});
  EXPECT_EQ(rows[1][1], "b,\"c\"");
  EXPECT_EQ(rows[2][1], "line\nbreak");
  EXPECT_EQ(std::stod(rows[2][2]), 30.428571428571427);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(CsvReader, RandomFieldsRoundTripThroughTheWriterAcrossBlockBoundaries) {
  // Fields with quotes, delimiters, CR/LF and long runs, enough to cross many 1 MiB blocks at
  // every possible point of a record (inside "", between \r and \n, right after a quote...).
  std::mt19937 rng(7);
  const std::string alphabet = "ab,\"\n\r x;|\t";
  std::vector<std::vector<std::string>> rows;
  std::ostringstream text;
  {
    CsvWriter writer(text);
    writer.row({"a", "b", "c"});
    std::size_t bytes = 0;
    while (bytes < (5u << 20)) {
      std::vector<std::string> row(3);
      for (auto& f : row) {
        const std::size_t n = rng() % 7 == 0 ? rng() % 3000 : rng() % 12;
        for (std::size_t k = 0; k < n; ++k) f.push_back(alphabet[rng() % alphabet.size()]);
        bytes += f.size() + 1;
      }
      writer.row(row);
      rows.push_back(std::move(row));
    }
  }
  CsvOptions options;
  options.delimiter = Delimiter::comma;
  CsvReader reader = CsvReader::from_string(text.str(), options, "round.csv");
  CsvRecord record;
  std::size_t i = 0;
  for (; reader.next(record); ++i) {
    ASSERT_LT(i, rows.size());
    ASSERT_EQ(record.size(), 3u) << "record " << i << " line " << record.line;
    for (std::size_t k = 0; k < 3; ++k) {
      // An unquoted field keeps a trailing '\r' only when it is not the last one of its line;
      // the writer quotes every field containing CR or LF, so all must round-trip exactly.
      ASSERT_EQ(record[k], rows[i][k]) << "record " << i << " field " << k;
    }
  }
  EXPECT_EQ(i, rows.size());
}

/// Records of `text` read in full and with set_field_limit(limit): same sizes and lines, same
/// first `limit` fields, empty fields after them.
void expect_limit_matches_full(const std::string& text, std::size_t limit) {
  CsvOptions options;
  options.delimiter = Delimiter::comma;
  options.has_header = false;
  options.allow_ragged = true;
  CsvReader full = CsvReader::from_string(text, options);
  CsvReader limited = CsvReader::from_string(text, options);
  limited.set_field_limit(limit);
  CsvRecord a, b;
  for (;;) {
    const bool more_a = full.next(a);
    const bool more_b = limited.next(b);
    ASSERT_EQ(more_a, more_b);
    if (!more_a) break;
    ASSERT_EQ(a.size(), b.size()) << "line " << a.line;
    ASSERT_EQ(a.line, b.line);
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(b[k], k < limit ? a[k] : std::string_view()) << "line " << a.line << " field " << k;
    }
  }
}

TEST(CsvReader, FieldLimitCountsTheOtherFieldsExactly) {
  for (std::size_t limit : {1u, 2u, 3u, 9u}) {
    expect_limit_matches_full("a,b,c,d\n1,2,3,4\n", limit);
    expect_limit_matches_full("a,b,c,d\r\n1,2,3,4\r\n\r\n5,6\n7,8,9,10,11,12\n", limit);
    expect_limit_matches_full("a,b,\"x,\ny\",d\n1,2,\"3\"\"\",4\n",
                              limit);                      // quotes after the limit
    expect_limit_matches_full("a,b,c,\n1,2,3,", limit);    // trailing delimiter at end of input
    expect_limit_matches_full("a,b,c,d\n1,2,3,4", limit);  // no final newline
    expect_limit_matches_full("\"a\",b,c,d\n,,,\n", limit);
    std::string long_line = "x,y";
    for (int k = 0; k < 5000; ++k) {
      long_line += ",field";
      long_line += std::to_string(k);
    }
    expect_limit_matches_full(long_line + "\n" + long_line + "\n", limit);
  }
  // A large input (several reader blocks), so records straddle block boundaries.
  std::string big;
  std::mt19937 rng(5);
  for (int r = 0; r < 60000; ++r) {
    big += 'C';
    big += std::to_string(rng() % 1000);
    big += ",2024-01-0";
    big += std::to_string(1 + r % 9);
    big += ",12.5";
    const int extra = static_cast<int>(rng() % 6);
    for (int k = 0; k < extra; ++k) big += rng() % 7 == 0 ? ",\"q,\n\"\"\"" : ",espresso beans";
    big += r % 11 == 0 ? "\r\n" : "\n";
  }
  expect_limit_matches_full(big, 3);
  expect_limit_matches_full(big, 1);
}

TEST(CsvReader, FieldLimitKeepsQuoteErrors) {
  CsvOptions options;
  options.delimiter = Delimiter::comma;
  options.has_header = false;
  CsvReader reader = CsvReader::from_string("a,b,c\n1,2,\"3\"x\n", options);
  reader.set_field_limit(1);
  CsvRecord r;
  ASSERT_TRUE(reader.next(r));
  try {
    reader.next(r);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(":2"), std::string::npos) << e.what();
  }
}

TEST(FileHalves, SplitsAfterTheFirstLineBreakPastTheMiddle) {
  auto dir = test::temp_dir("file_halves");
  std::string text = "a,b\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + "," + std::to_string(i * 7) + "\n";
  const auto path = (dir / "plain.csv").string();
  std::ofstream(path, std::ios::binary) << text;
  const auto halves = FileHalves::open(path, 1000);
  ASSERT_TRUE(halves.has_value());
  EXPECT_EQ(halves->size(), text.size());
  const std::size_t want = text.find('\n', text.size() / 2) + 1;
  EXPECT_EQ(halves->split(), want);
  EXPECT_EQ(halves->read(halves->split() - 1, 1), "\n");
  // 1,001 lines in the file; the estimate comes from the first half, whose lines are shorter
  // here (smaller numbers), plus 5%: at least the true count, and not far above it.
  EXPECT_GE(halves->lines_in(text.size()), 1001u);
  EXPECT_LE(halves->lines_in(text.size()), 1150u);
  // The two halves read with from_file_range give every record once.
  CsvReader first = CsvReader::from_file_range(halves->fd(), 0, halves->split(), {}, path);
  CsvOptions rest;
  rest.delimiter = first.delimiter();
  rest.has_header = false;
  CsvReader second =
      CsvReader::from_file_range(halves->fd(), halves->split(), halves->size(), rest, path);
  CsvRecord r;
  int rows = 0;
  while (first.next(r)) ++rows;
  while (second.next(r)) ++rows;
  EXPECT_EQ(rows, 1000);
}

TEST(FileHalves, NoneForSmallGzipStdinOrMissingFiles) {
  auto dir = test::temp_dir("file_halves_none");
  std::string text = "a,b\n";
  for (int i = 0; i < 1000; ++i) text += "1,2\n";
  const auto plain = (dir / "plain.csv").string(), zipped = (dir / "zipped.csv").string();
  std::ofstream(plain, std::ios::binary) << text;
  std::ofstream(zipped, std::ios::binary) << gzip(text);
  EXPECT_FALSE(FileHalves::open(plain, text.size() + 1).has_value());  // below the minimum
  EXPECT_FALSE(FileHalves::open(zipped, 1).has_value());
  EXPECT_FALSE(FileHalves::open("-", 1).has_value());
  EXPECT_FALSE(FileHalves::open((dir / "missing.csv").string(), 1).has_value());
  EXPECT_FALSE(FileHalves::open(dir.string(), 1).has_value());  // not a regular file
  // One long line: no line break after the middle.
  const auto one_line = (dir / "one_line.csv").string();
  std::ofstream(one_line, std::ios::binary) << std::string(5000, 'x');
  EXPECT_FALSE(FileHalves::open(one_line, 1).has_value());
}

}  // namespace
}  // namespace ltv
