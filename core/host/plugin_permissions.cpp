// The permission check behind --allow-unsafe-plugin-dirs: writable by others, or owned by another user.
#include "host/plugin_permissions.hpp"

#include <fmt/format.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

namespace impact::host {
namespace {

std::string user_name(uid_t uid) {
    std::array<char, 1024> buffer{};
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
        return fmt::format("{} (uid {})", found->pw_name, uid);
    return fmt::format("uid {}", uid);
}

std::string group_name(gid_t gid) {
    std::array<char, 4096> buffer{};
    group entry{};
    group* found = nullptr;
    if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->gr_name)
        return fmt::format("{} (gid {})", found->gr_name, gid);
    return fmt::format("gid {}", gid);
}

bool owner_is_trusted(uid_t owner) { return owner == 0 || owner == ::geteuid(); }

std::string judge(const std::string& shown, const struct stat& st) {
    const bool folder = S_ISDIR(st.st_mode);
    const std::string risk = folder ? "could replace a plugin in it" : "could change the code it holds";
    const unsigned mode = static_cast<unsigned>(st.st_mode & 07777);
    if (!owner_is_trusted(st.st_uid))
        return fmt::format("{} is owned by {}, neither root nor you; that user {}", shown, user_name(st.st_uid), risk);
    // A sticky world-writable folder (/tmp) still lets anyone add a new plugin file: refused too.
    if (st.st_mode & S_IWOTH) return fmt::format("{} is world-writable (mode {:04o}); anyone {}", shown, mode, risk);
    if (st.st_mode & S_IWGRP)
        return fmt::format("{} is group-writable (mode {:04o}, group {}); every member of that group {}", shown, mode,
                           group_name(st.st_gid), risk);
    return {};
}

}  // namespace

std::string unsafe_permissions(const std::filesystem::path& path) {
    const std::string shown = path.string();
    struct stat link {};
    if (::lstat(path.c_str(), &link) != 0) return {};
    if (S_ISLNK(link.st_mode)) {
        // The link's own mode is always 0777 and means nothing; who made it does.
        if (!owner_is_trusted(link.st_uid))
            return fmt::format("{} is a symbolic link owned by {}, neither root nor you; that user could point it "
                               "at other code",
                               shown, user_name(link.st_uid));
        struct stat target {};
        if (::stat(path.c_str(), &target) != 0) return {};
        std::error_code ec;
        const std::filesystem::path resolved = std::filesystem::canonical(path, ec);
        return judge(ec ? shown + " (its target)" : fmt::format("{} (the target of {})", resolved.string(), shown),
                     target);
    }
    return judge(shown, link);
}

}  // namespace impact::host
