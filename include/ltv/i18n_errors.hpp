#pragma once
/// Bad-input messages in a language (issue 27): the shape of an InputError's message
/// (`FILE:LINE: column 'NAME': found '...', expected ...`, `option --x: ...`, `parameter key: ...`)
/// with its words translated; the found text and the expected text are kept as they are (the
/// expected texts are still English). A face renders an error with these (the CLI does).
#include <string>

#include "ltv/error.hpp"
#include "ltv/i18n.hpp"

namespace ltv::i18n {

/// format_input_message() of ltv/error.hpp in `language` (identical to it in English).
std::string format_input_message(const SourceLocation& where, const std::string& found,
                                 const std::string& expected, Language language);

/// The message of `error` in `language`: parameter errors as `parameter KEY: ...`, others as
/// format_input_message().
std::string input_error_message(const InputError& error, Language language);

}  // namespace ltv::i18n
