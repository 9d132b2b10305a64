// CRM export profiles of the action list (ltv/cvm/crm_export.hpp): each profile's file read back
// with the column layout the profile documents (docs/cli.md names the vendor pages), control rows
// absent, windows-1251 decoded back with iconv, and bad profile configs refused by line and key.
#include "ltv/cvm/crm_export.hpp"

#include <gtest/gtest.h>
#include <iconv.h>

#include <sstream>
#include <string>
#include <vector>

#include "ltv/error.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string from_1251(const std::string& bytes) {
  iconv_t cd = iconv_open("UTF-8", "WINDOWS-1251");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(bytes.size() * 3 + 1, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &dst, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

// Run day 2025-12-31 (day 20453); due 3 days later: 2026-01-03.
constexpr std::int32_t kAsOf = 20453;

std::vector<CrmAction> actions() {
  std::vector<CrmAction> a(3);
  a[0] = {"C1",    "winback",     "winback_discount",
          "email", "discount=10", "no purchase for 94 days",
          20,      false,         ""};
  a[1] = {"C2", "winback", "winback_discount", "email", "discount=10", "held out", 20, true, ""};
  a[2] = {"Клиент 7", "churn", "manager_call", "phone", "", "Звонок; \"срочно\", NPS 5",
          10,         false,   "ivanova"};
  return a;
}

ExportOptions options() {
  ExportOptions o;
  o.as_of_day = kAsOf;
  o.due_days = 3;
  o.owner = "17";
  return o;
}

std::string write(const ExportProfile& profile, ExportResult* result = nullptr) {
  std::ostringstream out;
  const auto rows = actions();
  const ExportResult r = write_crm_export(out, profile, rows, options());
  if (result) *result = r;
  return out.str();
}

TEST(CrmExport, Bitrix24WritesTaskFieldsWithSemicolonsAndIsoDeadline) {
  ExportResult r;
  const std::string text = write(builtin_export_profile("bitrix24"), &r);
  const Rows rows = test::csv_records(text, ';', "\n");
  ASSERT_EQ(rows.size(), 3u);  // header + 2 tasks: the control row C2 is not exported
  // Task field codes of the Bitrix24 REST reference (tasks/fields): TITLE, DESCRIPTION,
  // DEADLINE, RESPONSIBLE_ID, TAGS; UF_CRM_TASK binds a CRM contact as "C_<id>" (task.item.add).
  EXPECT_EQ(rows[0], (std::vector<std::string>{"TITLE", "DESCRIPTION", "DEADLINE", "RESPONSIBLE_ID",
                                               "TAGS", "UF_CRM_TASK"}));
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"winback_discount (email): C1", "no purchase for 94 days",
                                      "2026-01-03", "17", "winback_discount", "C_C1"}));
  EXPECT_EQ(rows[2][1], "Звонок; \"срочно\", NPS 5");  // the reason is the comment, intact
  EXPECT_EQ(rows[2][3], "ivanova");                    // the row's own owner wins
  EXPECT_EQ(rows[2][5], "C_Клиент 7");
  EXPECT_EQ(r.rows, 2u);
  EXPECT_EQ(r.control_skipped, 1u);
  EXPECT_NE(r.note.find("1 control-group rows not exported"), std::string::npos) << r.note;
  EXPECT_EQ(text.find("C2"), std::string::npos);
}

TEST(CrmExport, AmoCrmWritesRussianHeadersAndDayMonthYear) {
  const Rows rows = test::csv_records(write(builtin_export_profile("amocrm")), ';', "\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Название сделки", "Ответственный", "Примечание",
                                               "Срок", "Теги", "ID клиента"}));
  EXPECT_EQ(rows[1][3], "03.01.2026");
  EXPECT_EQ(rows[1][2], "no purchase for 94 days");
  EXPECT_EQ(rows[2][5], "Клиент 7");
}

TEST(CrmExport, SalesforceWritesTaskObjectFieldsWithCommas) {
  const Rows rows = test::csv_records(write(builtin_export_profile("salesforce")), ',', "\n");
  ASSERT_EQ(rows.size(), 3u);
  // Task object API names (Salesforce field reference): Subject, Description (Comments),
  // ActivityDate (Due Date, yyyy-MM-dd for Data Loader), OwnerId (Assigned To), Status,
  // Priority, WhoId (Name).
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Subject", "Description", "ActivityDate", "OwnerId",
                                               "Status", "Priority", "WhoId"}));
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"winback_discount (email): C1", "no purchase for 94 days",
                                      "2026-01-03", "17", "Not Started", "Normal", "C1"}));
  EXPECT_EQ(rows[2][1], "Звонок; \"срочно\", NPS 5");
}

TEST(CrmExport, GenericProfileInWindows1251WithCrlfDecodesBack) {
  const std::string toml = R"(delimiter = ";"
encoding = "windows-1251"
date_format = "%d/%m/%Y"
line_ending = "crlf"

[[column]]
name = "Клиент"
field = "customer_id"
prefix = "id:"

[[column]]
name = "Причина"
field = "reason"

[[column]]
name = "Срок"
field = "due_date"

[[column]]
name = "Статус"
value = "Новая"

[[column]]
name = "Канал"
field = "channel"
)";
  const ExportProfile p = parse_export_profile(toml, "crm.toml");
  const std::string bytes = write(p);
  // windows-1251: 'К' is byte 0xCA, and no UTF-8 lead byte 0xD0 / 0xD1 is left.
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0xCAu);
  EXPECT_EQ(bytes.find('\xD0'), std::string::npos);
  const Rows rows = test::csv_records(from_1251(bytes), ';', "\r\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Клиент", "Причина", "Срок", "Статус", "Канал"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"id:C1", "no purchase for 94 days", "03/01/2026",
                                               "Новая", "email"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"id:Клиент 7", "Звонок; \"срочно\", NPS 5",
                                               "03/01/2026", "Новая", "phone"}));
}

TEST(CrmExport, Utf8BomStartsWithTheByteOrderMark) {
  const ExportProfile p = parse_export_profile(
      "encoding = \"utf-8-bom\"\n[[column]]\nname = \"id\"\nfield = \"customer_id\"\n", "b.toml");
  const std::string text = write(p);
  ASSERT_GE(text.size(), 3u);
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(test::csv_records(text.substr(3), ',', "\n"), (Rows{{"id"}, {"C1"}, {"Клиент 7"}}));
}

TEST(CrmExport, UnencodableCharacterUnderWindows1251NamesRowAndColumn) {
  const ExportProfile p = parse_export_profile(
      "encoding = \"windows-1251\"\n[[column]]\nname = \"id\"\nfield = \"customer_id\"\n"
      "[[column]]\nname = \"why\"\nfield = \"reason\"\n",
      "w.toml");
  auto rows = actions();
  rows[2].reason = "VIP 中文";  // CJK: not in windows-1251
  std::ostringstream out;
  ExportOptions o = options();
  o.file = "tasks.csv";
  try {
    write_crm_export(out, p, rows, o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("tasks.csv: row 2 (customer Клиент 7), column 'why'"), std::string::npos) << m;
    EXPECT_NE(m.find("'中'"), std::string::npos) << m;
    EXPECT_NE(m.find("windows-1251"), std::string::npos) << m;
  }
  EXPECT_TRUE(out.str().empty());  // nothing half-written
}

std::string config_error(const std::string& toml) {
  try {
    parse_export_profile(toml, "crm.toml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(CrmExport, BadProfileConfigNamesTheLineAndKey) {
  std::string m = config_error(
      "[[column]]\nname = \"a\"\nfield = \"customer_id\"\n[[column]]\n"
      "name = \"b\"\nfield = \"revenue\"\n");
  EXPECT_NE(m.find("crm.toml:6"), std::string::npos) << m;
  EXPECT_NE(m.find("column[2].field"), std::string::npos) << m;
  EXPECT_NE(m.find("revenue"), std::string::npos) << m;
  EXPECT_NE(m.find("customer_id"), std::string::npos) << m;  // the known fields are listed

  m = config_error(
      "delimiter = \";\"\nencoding = \"koi8-r\"\n[[column]]\nname = \"a\"\n"
      "field = \"reason\"\n");
  EXPECT_NE(m.find("crm.toml:2"), std::string::npos) << m;
  EXPECT_NE(m.find("encoding"), std::string::npos) << m;
  EXPECT_NE(m.find("koi8-r"), std::string::npos) << m;
  EXPECT_NE(m.find("utf-8, utf-8-bom or windows-1251"), std::string::npos) << m;

  m = config_error("delimter = \";\"\n[[column]]\nname = \"a\"\nfield = \"reason\"\n");
  EXPECT_NE(m.find("crm.toml:1"), std::string::npos) << m;
  EXPECT_NE(m.find("delimter"), std::string::npos) << m;

  m = config_error(
      "date_format = \"%d.%m.%Y %H:%M\"\n[[column]]\nname = \"a\"\nfield = \"due_date\"\n");
  EXPECT_NE(m.find("crm.toml:1"), std::string::npos) << m;
  EXPECT_NE(m.find("date_format"), std::string::npos) << m;

  m = config_error("delimiter = \";\"\n");
  EXPECT_NE(m.find("[[column]]"), std::string::npos) << m;
}

TEST(CrmExport, UnknownBuiltinProfileIsAParameterError) {
  try {
    builtin_export_profile("hubspot");
    FAIL() << "no error";
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.key(), "export_profile");
    EXPECT_NE(std::string(e.what()).find("bitrix24, amocrm, salesforce"), std::string::npos);
  }
}

TEST(CrmExport, DateFormats) {
  EXPECT_EQ(format_export_date(kAsOf, "%Y-%m-%d"), "2025-12-31");
  EXPECT_EQ(format_export_date(kAsOf + 1, "%d.%m.%Y"), "01.01.2026");
  EXPECT_EQ(format_export_date(0, "%e/%m/%y %%"), " 1/01/70 %");
}

}  // namespace
}  // namespace ltv
