// The worker's seccomp allowlist and the SIGSYS handler that reports what a plugin tried (see sandbox.hpp).
#include "isolation/sandbox.hpp"

#include <fmt/format.h>
#include <seccomp.h>

#include <fcntl.h>
#include <linux/sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace impact::isolation {
namespace {

// The worker's one piece of process-wide mutable state: where the SIGSYS handler writes. A signal
// handler can reach nothing else; it is set once, before the filter exists, and never changed.
SharedHeader* g_last_words = nullptr;

// Open flags that make an open more than a read.
constexpr uint64_t kWritingOpenFlags = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;

void on_forbidden_syscall(int, siginfo_t* info, void* context) {
    if (SharedHeader* header = g_last_words) {
        header->forbidden_syscall_plus_one = info->si_syscall + 1;
#if defined(__x86_64__)
        // The arguments are still in the registers of the trapped call. For an open, keep the path
        // and flags, so the report says what the plugin tried to write.
        const greg_t* regs = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
        const char* path = nullptr;
        uint64_t flags = 0;
        if (info->si_syscall == SYS_openat) {
            path = reinterpret_cast<const char*>(regs[REG_RSI]);
            flags = static_cast<uint64_t>(regs[REG_RDX]);
        } else if (info->si_syscall == SYS_open) {
            path = reinterpret_cast<const char*>(regs[REG_RDI]);
            flags = static_cast<uint64_t>(regs[REG_RSI]);
        } else if (info->si_syscall == SYS_creat) {
            path = reinterpret_cast<const char*>(regs[REG_RDI]);
            flags = O_CREAT | O_WRONLY | O_TRUNC;
        }
        header->forbidden_open_flags = static_cast<uint32_t>(flags);
        if (path) {
            std::size_t i = 0;
            for (; i + 1 < sizeof header->forbidden_path && path[i]; ++i) header->forbidden_path[i] = path[i];
            header->forbidden_path[i] = '\0';
        }
#else
        (void)context;
#endif
    }
    ::_exit(kExitForbiddenSyscall);
}

struct FilterDeleter {
    void operator()(void* filter) const noexcept { seccomp_release(filter); }
};

void add_rule(scmp_filter_ctx filter, uint32_t action, const char* name, std::initializer_list<scmp_arg_cmp> args = {}) {
    const int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) return;  // not a system call on this architecture
    const int result = seccomp_rule_add_array(filter, action, number, static_cast<unsigned>(args.size()),
                                              args.size() ? args.begin() : nullptr);
    if (result != 0)
        throw std::runtime_error(fmt::format("seccomp rule for {}: {}", name, std::strerror(-result)));
}

}  // namespace

void install_sandbox(SharedHeader& last_words) {
    g_last_words = &last_words;
    struct sigaction action {};
    action.sa_sigaction = on_forbidden_syscall;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (::sigaction(SIGSYS, &action, nullptr) != 0) throw std::runtime_error("cannot install the SIGSYS handler");

    std::unique_ptr<void, FilterDeleter> owned(seccomp_init(SCMP_ACT_TRAP));
    scmp_filter_ctx filter = owned.get();
    if (!filter) throw std::runtime_error("seccomp_init failed");
    const uint32_t allow = SCMP_ACT_ALLOW;

    // Loading a library, allocating, threads, time, and talking to the host over the sockets and
    // memory it handed over. Nothing here creates a file, a socket or a process.
    for (const char* name :
         {"read", "readv", "pread64", "preadv", "write", "writev", "close", "close_range", "fstat", "newfstatat",
          "stat", "lstat", "statx", "statfs", "fstatfs", "lseek", "fadvise64", "access", "faccessat", "faccessat2",
          "readlink", "readlinkat", "getcwd", "getdents64", "dup", "dup3", "mmap", "munmap", "mprotect", "mremap", "madvise",
          "mincore", "msync", "brk", "futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq",
          "set_tid_address", "arch_prctl", "sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler",
          "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getrlimit", "getrusage", "times",
          "sysinfo", "uname", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
          "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time", "getrandom",
          "membarrier", "poll", "ppoll", "select", "pselect6", "recvmsg", "recvfrom", "sendmsg", "sendto", "shutdown",
          "pipe", "pipe2", "eventfd2", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "get_mempolicy",
          "exit", "exit_group"})
        add_rule(filter, allow, name);
    // Opens only for reading: what dlopen, locale data and /proc/self/maps need.
    add_rule(filter, allow, "openat", {SCMP_A2(SCMP_CMP_MASKED_EQ, kWritingOpenFlags, 0)});
    add_rule(filter, allow, "open", {SCMP_A1(SCMP_CMP_MASKED_EQ, kWritingOpenFlags, 0)});
    // Threads, never processes: clone must share the thread group. clone3 passes its flags in
    // memory a filter cannot read, so it answers ENOSYS and glibc falls back to clone.
    add_rule(filter, allow, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)});
    add_rule(filter, SCMP_ACT_ERRNO(ENOSYS), "clone3");
    // isatty() on stderr; reading limits; signals only to this process (abort() raises SIGABRT
    // with tgkill); reading this process's own memory (SafeMemoryReader, while loading).
    add_rule(filter, allow, "ioctl", {SCMP_A1(SCMP_CMP_EQ, TCGETS)});
    add_rule(filter, allow, "prlimit64", {SCMP_A2(SCMP_CMP_EQ, 0)});
    const auto self = static_cast<scmp_datum_t>(::getpid());
    add_rule(filter, allow, "tgkill", {SCMP_A0(SCMP_CMP_EQ, self)});
    add_rule(filter, allow, "process_vm_readv", {SCMP_A0(SCMP_CMP_EQ, self)});
    // Signal handlers, except for SIGSYS: replacing the sandbox's handler would let a plugin carry
    // on after a forbidden call.
    add_rule(filter, allow, "rt_sigaction", {SCMP_A0(SCMP_CMP_NE, SIGSYS)});
    // fcntl for descriptor flags and duplicates only: F_SETOWN/F_SETSIG with O_ASYNC could signal
    // another process.
    for (const int command : {F_GETFD, F_SETFD, F_GETFL, F_DUPFD, F_DUPFD_CLOEXEC})
        add_rule(filter, allow, "fcntl", {SCMP_A1(SCMP_CMP_EQ, static_cast<scmp_datum_t>(command))});
    add_rule(filter, allow, "fcntl", {SCMP_A1(SCMP_CMP_EQ, F_SETFL), SCMP_A2(SCMP_CMP_MASKED_EQ, O_ASYNC, 0)});
    // Naming one's threads (pthread_setname_np, thread pools do it); any other prctl is refused
    // with EPERM (runtimes probe PR_GET_DUMPABLE and the like, and cope with a refusal).
    static_assert(PR_GET_NAME == PR_SET_NAME + 1);
    add_rule(filter, allow, "prctl", {SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME)});
    add_rule(filter, allow, "prctl", {SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME)});
    add_rule(filter, SCMP_ACT_ERRNO(EPERM), "prctl", {SCMP_A0(SCMP_CMP_LT, PR_SET_NAME)});
    add_rule(filter, SCMP_ACT_ERRNO(EPERM), "prctl", {SCMP_A0(SCMP_CMP_GT, PR_GET_NAME)});
    // Thread placement and NUMA policy (OpenMP's OMP_PROC_BIND, NUMA-aware allocators): refused
    // with EPERM, which such libraries expect and survive, rather than trapped.
    for (const char* name : {"sched_setaffinity", "set_mempolicy", "mbind"}) add_rule(filter, SCMP_ACT_ERRNO(EPERM), name);

    const int loaded = seccomp_load(filter);
    if (loaded != 0) throw std::runtime_error(fmt::format("seccomp_load: {}", std::strerror(-loaded)));
}

std::string syscall_name(int number) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, number);
    if (!name) return fmt::format("syscall {}", number);
    std::string text = name;
    std::free(name);
    return text;
}

std::string forbidden_call_text(const SharedHeader& last_words) {
    if (last_words.forbidden_syscall_plus_one <= 0) return "a forbidden system call";
    std::string text = syscall_name(last_words.forbidden_syscall_plus_one - 1);
    const std::size_t path_bytes = strnlen(last_words.forbidden_path, sizeof last_words.forbidden_path);
    if (path_bytes > 0)
        text += fmt::format(" of {} for writing", std::string_view(last_words.forbidden_path, path_bytes));
    return text;
}

}  // namespace impact::isolation
