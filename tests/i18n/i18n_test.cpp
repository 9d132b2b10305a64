// Languages (issue 27): the language setting and its default from the environment, the
// embedded Russian catalogue, locale formatting, and end to end `ltv analyze --lang ru` (report,
// action reasons, console summary) on simulated data and on the Online Retail data set.
#include "ltv/i18n.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/cvm/actions.hpp"
#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/i18n_errors.hpp"
#include "ltv/i18n_texts.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/parameters.hpp"
#include "test_data.hpp"

namespace ltv::i18n {
namespace {

namespace fs = std::filesystem;
constexpr const char* kNbsp = "\u00a0";

std::string slurp(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// True when the text holds a Cyrillic letter (U+0400..U+04FF: UTF-8 lead byte 0xD0..0xD3).
bool has_cyrillic(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0xD0 && c <= 0xD3) return true;
  }
  return false;
}

/// Sets (or removes, for nullptr) an environment variable while it lives.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Language, DefaultFollowsTheEnvironment) {
  EnvVar all("LC_ALL", nullptr), messages("LC_MESSAGES", nullptr);
  {
    EnvVar lang("LANG", "ru_RU.UTF-8");
    EXPECT_EQ(language_from_environment(), Language::ru);
    EXPECT_EQ(parse_language(""), Language::ru);
  }
  {
    EnvVar lang("LANG", "en_GB.UTF-8");
    EXPECT_EQ(language_from_environment(), Language::en);
  }
  {
    EnvVar lang("LANG", nullptr);
    EXPECT_EQ(language_from_environment(), Language::en);
  }
  {
    // POSIX order: LC_ALL, then LC_MESSAGES, then LANG.
    EnvVar lang("LANG", "en_US.UTF-8");
    EnvVar msgs("LC_MESSAGES", "ru_RU.UTF-8");
    EXPECT_EQ(language_from_environment(), Language::ru);
    EnvVar all2("LC_ALL", "C.UTF-8");
    EXPECT_EQ(language_from_environment(), Language::en);
  }
}

TEST(Language, UnknownLanguageIsRefusedNamingTheParameter) {
  try {
    parse_language("de");
    FAIL() << "de accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.kind(), InputError::Kind::parameter);
    EXPECT_NE(std::string(e.what()).find("lang"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("en, ru"), std::string::npos) << e.what();
  }
  // The parameter table refuses it too (every face: CLI, server, Python).
  Parameters p({"analyze"});
  p.set("lang", "de");
  EXPECT_THROW(p.validate(), InputError);
  Parameters q({"report"});
  q.set("number_format", "fr");
  EXPECT_THROW(q.validate(), InputError);
}

TEST(Catalogue, RussianTranslationsAreEmbedded) {
  // Works from the library alone: no locale generated on this machine, no .mo file on disk.
  EXPECT_EQ(translate("Customer value report", Language::ru), "Отчёт о ценности клиентов");
  EXPECT_EQ(translate("Customer value report", Language::en), "Customer value report");
  // A msgid the catalogue does not know stays as it is.
  EXPECT_EQ(translate("no such message 42", Language::ru), "no such message 42");
  EXPECT_FALSE(has_translation("no such message 42", Language::ru));
  {
    LocaleScope scope({Language::ru, default_formats(Language::ru)});
    EXPECT_EQ(tr("Headline"), "Главное");
    {
      LocaleScope inner({Language::en, default_formats(Language::en)});
      EXPECT_EQ(tr("Headline"), "Headline");
    }
    EXPECT_EQ(tr("Headline"), "Главное");
  }
  EXPECT_EQ(tr("Headline"), "Headline");
}

TEST(Catalogue, BuiltInReasonsAndSegmentsAreTranslated) {
  // The built-in playbook's reason templates: translated, with the same {fields}.
  const ActionConfig playbook = default_action_config();
  ASSERT_FALSE(playbook.rules.empty());
  const std::regex field(R"(\{[^{}]*\})");
  for (const ActionRule& rule : playbook.rules) {
    ASSERT_TRUE(has_translation(rule.reason, Language::ru)) << rule.id << ": " << rule.reason;
    const std::string ru = translate(rule.reason, Language::ru);
    EXPECT_TRUE(has_cyrillic(ru)) << ru;
    std::multiset<std::string> a, b;
    for (std::sregex_iterator i(rule.reason.begin(), rule.reason.end(), field), e; i != e; ++i)
      a.insert(i->str());
    for (std::sregex_iterator i(ru.begin(), ru.end(), field), e; i != e; ++i) b.insert(i->str());
    EXPECT_EQ(a, b) << rule.id;
  }
  // The built-in RFM segments: name, purpose and description.
  const SegmentConfig segments = default_segment_config();
  std::size_t checked = 0;
  for (const NamedRule& s : segments.rfm.segments) {
    for (const std::string* text : {&s.name, &s.purpose, &s.description}) {
      if (text->empty()) continue;
      EXPECT_TRUE(has_translation(*text, Language::ru)) << *text;
      ++checked;
    }
  }
  EXPECT_GE(checked, 30u);
  // Life-cycle stages and NPS classes, as the report shows them.
  for (const char* code :
       {"vip", "active", "new", "at_risk", "lapsing", "lost", "promoter", "passive", "detractor"}) {
    EXPECT_TRUE(has_translation(code, Language::ru)) << code;
  }
}

TEST(Catalogue, ModelChoiceIsShownInTheLanguage) {
  const std::string text =
      "lowest holdout MAE; refitted with an L2 penalty: the data alone do not identify dropout";
  EXPECT_EQ(shown_model_choice(text), text);  // English: as summary.json says it
  LocaleScope scope({Language::ru, default_formats(Language::ru)});
  EXPECT_EQ(shown_model_choice(text),
            "наименьшая MAE на проверке; переоценена со штрафом L2: одни данные не определяют "
            "отток");
  EXPECT_EQ(shown_model_choice("first candidate"), "первая из кандидатов");
}

TEST(Formats, RussianNumbersDatesAndMoney) {
  const Formats ru = default_formats(Language::ru), en = default_formats(Language::en);
  // The issue's examples: 1 234 567,89 ₽ and 07.12.2026 (no-break spaces, as CLDR's ru).
  EXPECT_EQ(format_number(1234567.891, 2, ru), std::string("1") + kNbsp + "234" + kNbsp + "567,89");
  EXPECT_EQ(format_number(1234567.891, 2, en), "1,234,567.89");
  EXPECT_EQ(format_money(1234567.891, 2, "\u20bd", ru),
            std::string("1") + kNbsp + "234" + kNbsp + "567,89" + kNbsp + "\u20bd");
  EXPECT_EQ(format_money(-1234.5, 2, "$", en), "-$1,234.50");
  EXPECT_EQ(format_number(-0.001, 2, ru), "0,00");  // no "-0"
  EXPECT_EQ(format_number(999, 0, ru), "999");
  EXPECT_EQ(format_number(-1000, 0, ru), std::string("-1") + kNbsp + "000");
  EXPECT_EQ(format_number(std::nan(""), 2, ru), "\u2013");
  const std::int32_t day = days_from_civil(2026, 12, 7);
  EXPECT_EQ(format_day(day, ru), "07.12.2026");
  EXPECT_EQ(format_day(day, en), "2026-12-07");
  EXPECT_EQ(format_iso_date_text("2026-12-07", ru), "07.12.2026");
  EXPECT_EQ(format_iso_date_text("2026-12", ru), "2026-12");  // a month stays as it is
  EXPECT_EQ(default_currency(Language::ru), "\u20bd");
}

TEST(Formats, ParametersOverrideTheLanguage) {
  Parameters p({"report"});
  p.set("lang", "ru");
  Locale l = locale_from_parameters(p);
  EXPECT_EQ(l.language, Language::ru);
  EXPECT_EQ(l.formats.decimal_point, ",");
  EXPECT_TRUE(l.formats.day_first_dates);
  p.set("number_format", "en");
  p.set("date_format_out", "yyyy-mm-dd");
  l = locale_from_parameters(p);
  EXPECT_EQ(l.language, Language::ru);
  EXPECT_EQ(l.formats.decimal_point, ".");
  EXPECT_EQ(l.formats.group_separator, ",");
  EXPECT_FALSE(l.formats.currency_after);
  EXPECT_FALSE(l.formats.day_first_dates);
  Parameters q({"actions"});
  q.set("lang", "en");
  q.set("date_format_out", "dd.mm.yyyy");
  l = locale_from_parameters(q);
  EXPECT_EQ(l.language, Language::en);
  EXPECT_TRUE(l.formats.day_first_dates);
}

TEST(Errors, TheShapeIsTranslatedAndEnglishIsTheCoresMessage) {
  const std::vector<InputError> errors{
      InputError({"f.csv", 3, "amount"}, "x", "a number"),
      InputError({"rules.toml", 7, "", 12}, "}", "a value"),
      InputError({"", 4, "--customer"}, "nosuch", "a column of the file"),
      InputError({"", 0, "horizon"}, "-1", "a number > 0", InputError::Kind::parameter)};
  for (const InputError& e : errors) {
    // English: exactly the message the core builds (one shape, two renderings).
    EXPECT_EQ(input_error_message(e, Language::en), e.what());
  }
  EXPECT_EQ(input_error_message(errors[0], Language::ru),
            "f.csv:3: столбец «amount»: найдено «x», ожидалось: a number");
  EXPECT_EQ(input_error_message(errors[2], Language::ru),
            "строка 4: параметр --customer: найдено «nosuch», ожидалось: a column of the file");
  EXPECT_EQ(input_error_message(errors[3], Language::ru),
            "параметр horizon: найдено «-1», ожидалось: a number > 0");
}

// ---- end to end: ltv analyze --lang ru ----------------------------------------------------------

/// The text of every <tag>...</tag> of an HTML page (no nesting inside these tags).
std::vector<std::string> texts_of(const std::string& html, const std::string& tag) {
  std::vector<std::string> out;
  const std::regex re("<" + tag + R"((?:\s[^>]*)?>([^<]*)</)" + tag + ">");
  for (std::sregex_iterator i(html.begin(), html.end(), re), e; i != e; ++i) {
    out.push_back((*i)[1].str());
  }
  return out;
}

class LangCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(test::temp_dir("i18n_cli"));
    const auto sim = test::run(test::cli() + " simulate --customers 2000 --seed 11 -q -o " +
                               (*dir_ / "sim").string());
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    for (const char* lang : {"en", "ru"}) {
      const auto r = test::run(analyze_command(lang, (*dir_ / lang).string()));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      (lang == std::string("en") ? en_out_ : ru_out_) = new std::string(r.out);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete en_out_;
    delete ru_out_;
  }
  static std::string analyze_command(const std::string& lang, const std::string& out) {
    const fs::path sim = *dir_ / "sim";
    return test::cli() + " analyze " + (sim / "transactions.csv").string() +
           " --customer customer_id --date date --amount amount --order order_id --lang " + lang +
           " -q -o " + out;
  }
  static std::string html(const std::string& lang) { return slurp(*dir_ / lang / "report.html"); }
  static fs::path* dir_;
  static std::string* en_out_;
  static std::string* ru_out_;
};
fs::path* LangCli::dir_ = nullptr;
std::string* LangCli::en_out_ = nullptr;
std::string* LangCli::ru_out_ = nullptr;

TEST_F(LangCli, RussianReportHasTranslatedHeadingsAndNoEnglishOneLeft) {
  const std::string ru = html("ru"), en = html("en");
  EXPECT_NE(ru.find("<html lang=\"ru\">"), std::string::npos);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  // The section headings, as po/ru.po translates them.
  const std::vector<std::string> h2 = texts_of(ru, "h2");
  for (const char* heading :
       {"Главное", "Качество модели", "P(alive) и ожидаемые покупки по частоте и давности",
        "Когорты", "Сегменты", "Распределение LTV, лучшие клиенты и концентрация ценности",
        "Стоимость привлечения и LTV по каналам", "Прогноз и ошибка на бэктесте", "Сравнение групп",
        "Индекс NPS", "Лучшие ассоциативные правила", "Список действий на сегодня"}) {
    EXPECT_NE(std::find(h2.begin(), h2.end(), heading), h2.end()) << heading;
  }
  EXPECT_EQ(texts_of(ru, "h1"), std::vector<std::string>{"Отчёт о ценности клиентов"});
  // No English heading left: every h1/h2/h3 of the English page is absent from the Russian one,
  // and every Russian heading has Cyrillic text (names like "P(alive)" aside).
  for (const char* tag : {"h1", "h2", "h3"}) {
    const std::vector<std::string> en_headings = texts_of(en, tag), ru_headings = texts_of(ru, tag);
    EXPECT_EQ(en_headings.size(), ru_headings.size()) << tag;
    EXPECT_FALSE(ru_headings.empty()) << tag;
    for (const auto& h : en_headings) {
      EXPECT_EQ(std::find(ru_headings.begin(), ru_headings.end(), h), ru_headings.end())
          << "English " << tag << " left: " << h;
    }
    for (const auto& h : ru_headings) EXPECT_TRUE(has_cyrillic(h)) << tag << ": " << h;
  }
  // Card labels translated, values formatted: grouped with no-break spaces, money in ₽ after it.
  const std::regex card_label(R"re(<div class="card-label">([^<]*)</div>)re");
  std::vector<std::string> card_labels;
  for (std::sregex_iterator i(ru.begin(), ru.end(), card_label), e; i != e; ++i)
    card_labels.push_back((*i)[1].str());
  ASSERT_FALSE(card_labels.empty());
  for (const auto& l : card_labels) EXPECT_TRUE(has_cyrillic(l)) << l;
  const std::regex card_value(R"re(<div class="card-value">([^<]*)</div>)re");
  std::vector<std::string> card_values;
  for (std::sregex_iterator i(ru.begin(), ru.end(), card_value), e; i != e; ++i)
    card_values.push_back((*i)[1].str());
  ASSERT_GE(card_values.size(), 4u);
  // Customers: 2000 simulated, some of them buy in the window: a 4-digit count is grouped.
  EXPECT_TRUE(std::regex_search(card_values[0], std::regex("^[0-9]\u00a0[0-9]{3}$")))
      << card_values[0];
  // Revenue: "N NNN ₽" (no "$" anywhere in the cards).
  EXPECT_TRUE(std::regex_search(card_values[2], std::regex("[0-9]\u00a0\u20bd$")))
      << card_values[2];
  for (const auto& v : card_values) EXPECT_EQ(v.find('$'), std::string::npos) << v;
  // Built-in segment names and purposes (the RFM table of the Segments section).
  for (const char* text : {"Чемпионы", "сохранить уровень сервиса", "повысить активность"}) {
    EXPECT_NE(ru.find(text), std::string::npos) << text;
  }
  for (const char* text : {"Champions", "keep service level", "raise activity"}) {
    EXPECT_NE(en.find(text), std::string::npos) << text;
  }
  // Dates of the page in dd.mm.yyyy.
  EXPECT_TRUE(std::regex_search(
      ru, std::regex(R"(Период данных: с \d\d\.\d\d\.\d{4} по \d\d\.\d\d\.\d{4}\.)")));
  // The English page is unchanged in shape: $ before the amount, ISO dates.
  EXPECT_TRUE(
      std::regex_search(en, std::regex(R"(Period covered: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.)")));
}

TEST_F(LangCli, ActionReasonsAreRussian) {
  const std::string csv = slurp(*dir_ / "ru" / "actions.csv");
  std::stringstream in(csv);
  std::string header;
  std::getline(in, header);
  std::size_t rows = 0, cyrillic = 0;
  for (std::string line; std::getline(in, line);) {
    ++rows;
    cyrillic += has_cyrillic(line);
    // No English reason template left.
    for (const char* english : {"usually buys every", "no purchase for", "orders, last",
                                "expected back on", "birthday in", "(detractor)"}) {
      EXPECT_EQ(line.find(english), std::string::npos) << line;
    }
  }
  ASSERT_GT(rows, 0u) << "no actions on the simulated data";
  EXPECT_EQ(cyrillic, rows);
  // The same rules fire in both languages: only the wording differs.
  const std::string en = slurp(*dir_ / "en" / "actions.csv");
  EXPECT_EQ(std::count(en.begin(), en.end(), '\n'), std::count(csv.begin(), csv.end(), '\n'));
  EXPECT_NE(en.find("usually buys every"), std::string::npos);
}

TEST_F(LangCli, ConsoleSummaryIsRussian) {
  EXPECT_NE(ru_out_->find("Клиенты:"), std::string::npos) << *ru_out_;
  EXPECT_NE(ru_out_->find("Выручка:"), std::string::npos) << *ru_out_;
  EXPECT_EQ(ru_out_->find("Customers:"), std::string::npos) << *ru_out_;
  EXPECT_EQ(ru_out_->find("Revenue:"), std::string::npos) << *ru_out_;
  EXPECT_EQ(ru_out_->find("holdout MAE"), std::string::npos) << *ru_out_;
  EXPECT_EQ(ru_out_->find("candidate"), std::string::npos) << *ru_out_;
  EXPECT_NE(en_out_->find("Customers:"), std::string::npos) << *en_out_;
  // Dates of the summary line in dd.mm.yyyy.
  EXPECT_TRUE(
      std::regex_search(*ru_out_, std::regex(R"(\d\d\.\d\d\.\d{4} \.\. \d\d\.\d\d\.\d{4})")))
      << *ru_out_;
}

TEST_F(LangCli, UnknownLanguageIsRefused) {
  const auto r = test::run(analyze_command("de", (*dir_ / "de").string()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("lang"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("de"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(*dir_ / "de"));
  const auto report = test::run(test::cli() + " report " + (*dir_ / "en").string() +
                                " --lang de -o " + (*dir_ / "de.html").string());
  EXPECT_NE(report.exit_code, 0);
  EXPECT_NE(report.err.find("lang"), std::string::npos) << report.err;
}

TEST_F(LangCli, ErrorsAreSaidInTheCommandsLanguage) {
  const fs::path sim = *dir_ / "sim" / "transactions.csv";
  const std::string bad = test::cli() + " analyze " + sim.string() +
                          " --customer no_such_column --date date -q -o " +
                          (*dir_ / "bad").string();
  const auto ru = test::run(bad + " --lang ru");
  EXPECT_EQ(ru.exit_code, 1);
  EXPECT_EQ(ru.err.rfind("ltv: ошибка: ", 0), 0u) << ru.err;
  EXPECT_NE(ru.err.find("найдено «no_such_column»"), std::string::npos) << ru.err;
  const auto en = test::run("env -u LC_ALL -u LC_MESSAGES LANG=C " + bad + " --lang en");
  EXPECT_EQ(en.exit_code, 1);
  EXPECT_EQ(en.err.rfind("ltv: error: ", 0), 0u) << en.err;
  EXPECT_NE(en.err.find("found 'no_such_column'"), std::string::npos) << en.err;
  // Without --lang, the environment's language.
  const auto env = test::run("env -u LC_ALL -u LC_MESSAGES LANG=ru_RU.UTF-8 " + bad);
  EXPECT_EQ(env.err.rfind("ltv: ошибка: ", 0), 0u) << env.err;
}

TEST_F(LangCli, DefaultLanguageComesFromLang) {
  const std::string out = (*dir_ / "env.html").string();
  const std::string report = test::cli() + " report " + (*dir_ / "en").string() + " -q -o " + out;
  auto r = test::run("env -u LC_ALL -u LC_MESSAGES LANG=ru_RU.UTF-8 " + report);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string page = slurp(out);
  EXPECT_NE(page.find("<html lang=\"ru\">"), std::string::npos);
  EXPECT_NE(page.find("<h2>Главное</h2>"), std::string::npos);
  r = test::run("env -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 " + report);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  page = slurp(out);
  EXPECT_NE(page.find("<h2>Headline</h2>"), std::string::npos);
  // --lang wins over the environment.
  r = test::run("env -u LC_ALL -u LC_MESSAGES LANG=ru_RU.UTF-8 " + report + " --lang en");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(slurp(out).find("<h2>Headline</h2>"), std::string::npos);
}

TEST_F(LangCli, FormatsCanBeOverridden) {
  const std::string out = (*dir_ / "mixed.html").string();
  const auto r = test::run(test::cli() + " report " + (*dir_ / "en").string() +
                           " --lang ru --number-format en --date-format-out yyyy-mm-dd "
                           "--currency EUR -q -o " +
                           out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = slurp(out);
  EXPECT_NE(page.find("<h2>Главное</h2>"), std::string::npos);
  EXPECT_TRUE(std::regex_search(page, std::regex(R"(card-value">EUR[0-9,]+(\.[0-9]+)?<)")));
  EXPECT_TRUE(std::regex_search(page, std::regex(R"(Период данных: с \d{4}-\d\d-\d\d по)")));
}

// The Online Retail data set (../shared/data, columns inferred) in Russian: runs, and the report
// renders with Russian numbers (£ given as the currency after the amount).
TEST(LangRealData, OnlineRetailInRussianSlow) {
  const std::string file = test::shared_data("online_retail/online_retail.csv.gz").string();
  ASSERT_TRUE(fs::exists(file));
  const fs::path dir = test::temp_dir("i18n_online_retail");
  const auto r = test::run(test::cli() + " analyze " + file + " --lang ru --currency £ -q -o " +
                           (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Клиенты:"), std::string::npos) << r.out;
  const std::string page = slurp(dir / "out" / "report.html");
  EXPECT_NE(page.find("<h2>Главное</h2>"), std::string::npos);
  // Over a thousand customers: a grouped four-digit count; revenue in millions of pounds,
  // grouped, the symbol after it.
  EXPECT_TRUE(std::regex_search(page, std::regex("card-value\">[0-9]\u00a0[0-9]{3}<")));
  EXPECT_TRUE(std::regex_search(
      page, std::regex("card-value\">[0-9]+\u00a0[0-9]{3}\u00a0[0-9]{3}\u00a0\u00a3<")));
  EXPECT_EQ(page.find("NaN"), std::string::npos);
}

}  // namespace
}  // namespace ltv::i18n
