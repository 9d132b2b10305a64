// The CSV reader under hostile input: endless records, devices, FIFOs, directories, UTF-16/32
// and binary data. Each stops quickly with one clear InputError saying what was found.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

std::string read_error(const std::string& path, CsvOptions options = {}) {
  try {
    CsvReader reader(path, options);
    CsvRecord record;
    while (reader.next(record)) {
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string text_error(std::string text, CsvOptions options = {}) {
  try {
    CsvReader reader = CsvReader::from_string(std::move(text), options, "in.csv");
    CsvRecord record;
    while (reader.next(record)) {
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void expect_one_line(const std::string& m) {
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_EQ(m.find('\0'), std::string::npos) << m;
  EXPECT_LT(m.size(), 400u) << m;
}

TEST(CsvHostile, DevicesDirectoriesAndFifosAreRefusedByName) {
  const auto dir = test::temp_dir("csv_hostile_special");
  const auto fifo = dir / "pipe.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  struct Case {
    std::string path, what;
  };
  for (const Case& c : {Case{"/dev/zero", "a character device"}, Case{dir.string(), "a directory"},
                        Case{fifo.string(), "a FIFO (named pipe)"}}) {
    const std::string m = read_error(c.path);
    expect_one_line(m);
    EXPECT_EQ(m, c.path + ": found '" + c.what +
                     "', expected a regular file (use '-' to read standard input from a pipe)");
  }
}

TEST(CsvHostile, ARecordLongerThanTheLimitStopsWithItsLine) {
  // A line without a line break, longer than the limit: the buffer stops growing at the limit.
  CsvOptions options;
  options.max_record_bytes = 3 << 20;
  const std::string text = "a,b\n1,2\n" + std::string(5 << 20, 'x');
  const std::string m = text_error(text, options);
  expect_one_line(m);
  EXPECT_EQ(m,
            "in.csv:3: found 'a record of more than 3145728 bytes', expected records (lines) "
            "of at most 3145728 bytes: line breaks between records, and a closing quote for "
            "every quoted field");
  // An unterminated quote runs on across line breaks: the record's first line is named.
  const std::string quoted = "a,b\n\"open," + std::string(4 << 20, '\n');
  const std::string q = text_error(quoted, options);
  expect_one_line(q);
  EXPECT_EQ(q.rfind("in.csv:2: found 'a record of more than 3145728 bytes'", 0), 0u) << q;
  // A record just under the limit is read.
  EXPECT_EQ(text_error("a\n" + std::string((3 << 20) - 10, 'y') + "\n", options), "");
}

TEST(CsvHostile, TheDefaultRecordLimitIs16MiB) {
  const std::string m = text_error(std::string(17 << 20, 'z'));
  expect_one_line(m);
  EXPECT_EQ(m.rfind("in.csv:1: found 'a record of more than 16777216 bytes'", 0), 0u) << m;
  EXPECT_EQ(text_error("h\n" + std::string(15 << 20, 'z') + "\n"), "");
}

TEST(CsvHostile, TooManyFieldsInOneRecordIsAnError) {
  CsvOptions options;
  options.max_record_fields = 1000;
  const std::string m = text_error("a,b\n" + std::string(1500, ','), options);
  expect_one_line(m);
  EXPECT_EQ(m,
            "in.csv:2: found '1501 fields', expected records of at most 1000 fields "
            "(delimiter ',')");
}

TEST(CsvHostile, Utf16And32AreNamedByTheirByteOrderMark) {
  struct Case {
    std::string bytes, found;
  };
  const std::string a16le(
      "\xFF\xFE"
      "a\0,\0b\0\n\0",
      10);
  const std::string a16be("\xFE\xFF\0a\0,\0b\0\n", 10);
  const std::string a32le("\xFF\xFE\0\0a\0\0\0", 8);
  const std::string a32be("\0\0\xFE\xFF\0\0\0a", 8);
  for (const Case& c : {Case{a16le, "UTF-16LE text (byte order mark FF FE)"},
                        Case{a16be, "UTF-16BE text (byte order mark FE FF)"},
                        Case{a32le, "UTF-32LE text (byte order mark FF FE 00 00)"},
                        Case{a32be, "UTF-32BE text (byte order mark 00 00 FE FF)"}}) {
    const std::string m = text_error(c.bytes);
    expect_one_line(m);
    EXPECT_EQ(m, "in.csv:1: found '" + c.found +
                     "', expected UTF-8 text (convert it first, e.g. iconv -f UTF-16 -t UTF-8)");
  }
}

TEST(CsvHostile, BinaryDataAndBomlessUtf16AreNamed) {
  const char binary[] = "id,date\nc1,2020-01-01\nc2,\0\x01\x02";
  const std::string m = text_error(std::string(binary, sizeof binary - 1));
  expect_one_line(m);
  EXPECT_EQ(m.rfind("in.csv:3: found 'a NUL byte (binary data, not text)', expected UTF-8 text", 0),
            0u)
      << m;
  std::string utf16;
  for (char c : std::string("customer,date,amount\nc1,2020-01-01,5\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  const std::string u = text_error(utf16);
  expect_one_line(u);
  EXPECT_NE(u.find("found 'NUL bytes between the characters (UTF-16 text without a byte order "
                   "mark?)'"),
            std::string::npos)
      << u;
  const std::string zip = text_error(std::string("PK\x03\x04\x14\0\x06\0", 8));
  EXPECT_NE(zip.find("found 'a ZIP archive (an Excel .xlsx workbook?)'"), std::string::npos) << zip;
}

TEST(CsvHostile, BinaryInsideGzipIsFoundAfterDecompression) {
  const auto dir = test::temp_dir("csv_hostile_gzip");
  const auto path = dir / "zeros.csv.gz";
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  const std::string zeros(1 << 16, '\0');
  gzwrite(f, zeros.data(), static_cast<unsigned>(zeros.size()));
  gzclose(f);
  const std::string m = read_error(path.string());
  expect_one_line(m);
  EXPECT_NE(m.find("found 'a NUL byte (binary data, not text)'"), std::string::npos) << m;
}

TEST(CsvHostile, StdinStillReads) {
  // '-' is the one non-regular input that is accepted.
  const auto dir = test::temp_dir("csv_hostile_stdin");
  const auto file = dir / "in.csv";
  std::ofstream(file) << "customer,date,amount\nc1,2020-01-01,5\n";
  const auto r = test::run("cat '" + file.string() + "' | " + test::cli() +
                           " summary - --customer customer --date date --amount amount");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("c1,0,0,0,"), std::string::npos) << r.out;
}

TEST(CsvHostile, TheLoaderReportsTheSameErrors) {
  LoadOptions options;
  options.columns.customer = "customer";
  options.columns.date = "date";
  LoadReport report;
  try {
    (void)load_transactions("/dev/zero", options, report);
    FAIL() << "/dev/zero was loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("found 'a character device'"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ltv
