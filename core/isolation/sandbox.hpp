// The seccomp filter an impact-worker installs before it loads a plugin: no writing files, no network, no programs.
#pragma once

#include "isolation/channel.hpp"

#include <string>

namespace impact::isolation {

// The exit status of a worker whose plugin made a system call the sandbox forbids. The system
// call (and, for an open, its path and flags) is in the control channel's SharedHeader.
inline constexpr int kExitForbiddenSyscall = 97;

// Installs, for the whole worker process and every thread it starts later, a filter that allows
// what loading a shared library and computing need (read-only opens, mmap, mprotect, futex,
// threads, clocks, the existing sockets) and traps everything else: the SIGSYS handler writes the
// system call into `last_words` and ends the process with kExitForbiddenSyscall. Throws
// std::runtime_error when the kernel refuses the filter.
void install_sandbox(SharedHeader& last_words);

// "openat", "socket": the name of system call `number` on this architecture ("syscall 999" when unknown).
std::string syscall_name(int number);

// One line for what the sandbox stopped, from the header a dead worker left: "socket",
// "openat of /tmp/x for writing".
std::string forbidden_call_text(const SharedHeader& last_words);

}  // namespace impact::isolation
