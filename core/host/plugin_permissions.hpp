// Whether a plugin file or folder could be changed by someone other than root and the current user.
#pragma once

#include <filesystem>
#include <string>

namespace impact::host {

// Why loading code from `path` is unsafe, or "" when it is not: the path (a plugin file, or a
// folder that holds one) is group- or world-writable, or is owned by a user who is neither
// root nor the effective user, so someone else could replace the code `impact` would run
// (the rule OpenSSH applies to ~/.ssh). A symlink is judged by what it points to, and a
// symlinked file's link must belong to root or the user as well. The sentence names the path,
// its mode or owner and the risk, without a trailing period. A path that cannot be stat'ed
// gives "" (the loader reports a missing file in its own words).
std::string unsafe_permissions(const std::filesystem::path& path);

}  // namespace impact::host
