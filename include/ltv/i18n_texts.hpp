#pragma once
/// Texts the engine writes into its results in English (summary.json keeps them so), shown to
/// people in the current locale's language (ltv/i18n.hpp).
#include <string>
#include <string_view>

namespace ltv::i18n {

/// How the main job chose its model (summary.json's model_selection.chosen_by: "lowest holdout
/// MAE", "first candidate", ..., with the suffix of a regularised or identified refit), translated.
std::string shown_model_choice(std::string_view chosen_by);

}  // namespace ltv::i18n
