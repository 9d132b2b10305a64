#pragma once
/// Checks on the files a command reads and writes: inputs must be regular files (or stdin), and
/// an output must never be one of the inputs.

#include <cstdint>
#include <span>
#include <string>

namespace ltv {

/// Opens `path` for reading and returns the descriptor (the caller closes it). Refuses, with an
/// InputError naming the file and what it is, anything but a regular file: a directory, a FIFO
/// (which could block for ever), a character or block device (`/dev/zero` never ends), a socket.
/// `-` (stdin) is not handled here: callers read descriptor 0 for it. Throws InputError when the
/// file cannot be opened (with the system's reason).
int open_input_file(const std::string& path);

/// Reads the whole file `path` ("-" = stdin) as text (configs, model files). Throws InputError
/// when it cannot be opened or read, is not a regular file (see open_input_file; stdin is
/// allowed), or is larger than `max_bytes` (checked as it is read, so `/dev/stdin` fed from an
/// endless source stops too).
std::string read_text_file(const std::string& path, std::uint64_t max_bytes);

/// Refuses an output path that would overwrite or contain one of `inputs`: the same file (same
/// device and inode, so also through a hard or symbolic link), or, when `output` is a folder, a
/// folder holding an input anywhere below it. `option` names the output option in the error
/// (e.g. "-o"). Inputs that are empty or "-" are ignored; an output that does not exist yet is
/// fine. Throws InputError for option `option`.
void check_output_not_input(const std::string& output, std::span<const std::string> inputs,
                            const std::string& option = "-o");

}  // namespace ltv
