// What a file system entry is, in words, for messages that say what was found.
#pragma once

#include <sys/stat.h>

#include <string_view>

namespace impact::io {

// "a regular file", "a directory", "a character device", "a FIFO"...: the kind of entry that
// `mode` (st_mode of stat/lstat) describes, with its article, ready for "found ...".
constexpr std::string_view file_kind(mode_t mode) noexcept {
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "an entry of unknown type";
}

}  // namespace impact::io
