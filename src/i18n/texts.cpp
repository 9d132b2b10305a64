// Result texts shown in the current language (include/ltv/i18n_texts.hpp). The pieces are those
// src/workspace/analyze.cpp writes into model_selection.chosen_by.
#include "ltv/i18n_texts.hpp"

#include "ltv/i18n.hpp"

namespace ltv::i18n {
namespace {

[[maybe_unused]] constexpr std::string_view kChoices[] = {
    N_("lowest holdout MAE"), N_("first candidate"),
    N_("first candidate (history too short for a holdout)")};
constexpr std::string_view kSuffixes[] = {
    N_("; refitted with an L2 penalty: the data alone do not identify dropout"),
    N_(", the first whose P(alive) is identified by the data")};

}  // namespace

std::string shown_model_choice(std::string_view chosen_by) {
  for (const std::string_view suffix : kSuffixes) {
    if (chosen_by.size() >= suffix.size() &&
        chosen_by.substr(chosen_by.size() - suffix.size()) == suffix) {
      return tr(chosen_by.substr(0, chosen_by.size() - suffix.size())) + tr(suffix);
    }
  }
  return tr(chosen_by);
}

}  // namespace ltv::i18n
