// Test plugin for isolation: models that crash, abort, hang, exhaust memory, write a file, open a socket or exit.
//
// Each misbehaviour happens at evaluate, in the model of its name; test.fine behaves (y = 2 x), so
// a scenario can show that other steps still complete. At load, the environment variable
// IMPACT_TEST_MISBEHAVE_AT_LOAD makes the library's constructor misbehave instead: "segfault",
// "socket", "write" (the file IMPACT_TEST_WRITE_PATH) or "exit". Plugins must never do any of
// this; the tests prove that an isolated worker stops each one and impact carries on.
#include <impact/sdk/plugin.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

namespace {

namespace sdk = impact::sdk;

const char* write_path() {
    const char* path = std::getenv("IMPACT_TEST_WRITE_PATH");
    return path && *path ? path : "/tmp/impact-isolation-test-written.txt";
}

// A pointer the compiler cannot see through, so the store below really happens (through a local,
// g++ proved the store undefined and dropped it).
int* volatile g_nowhere = nullptr;

// Not instrumented by UBSan in the sanitizer build: the null store is the point, and its report
// would be a second line on stderr.
__attribute__((no_sanitize_undefined)) void crash() { *g_nowhere = 42; }

void hang() {
    volatile bool forever = true;
    while (forever) {
    }
}

// Touches 64 MiB blocks until an allocation fails (std::bad_alloc, which the SDK wrapper turns into
// a failure status) or 16 GiB were had, which no test's limit allows.
void exhaust_memory() {
    std::vector<char*> blocks;
    constexpr std::size_t kBlock = std::size_t{64} << 20;
    for (int i = 0; i < 256; ++i) {
        char* block = new char[kBlock];
        std::memset(block, 1, kBlock);
        blocks.push_back(block);
    }
    for (char* b : blocks) delete[] b;
}

void write_file() {
    if (std::FILE* f = std::fopen(write_path(), "w")) {
        std::fputs("a plugin wrote this\n", f);
        std::fclose(f);
    }
}

void open_socket() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(9);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::close(fd);
}

__attribute__((constructor)) void misbehave_at_load() {
    const char* what = std::getenv("IMPACT_TEST_MISBEHAVE_AT_LOAD");
    if (!what) return;
    const std::string_view w = what;
    if (w == "segfault") crash();
    else if (w == "socket") open_socket();
    else if (w == "write") write_file();
    else if (w == "exit") std::exit(0);
}

// y = 2 x after doing `Action`.
template <void (*Action)()>
class Misbehaving {
public:
    explicit Misbehaving(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        Action();
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2 * batch.input(row, 0);
    }
};

void nothing() {}
void end_process() { std::exit(0); }

sdk::ModelSpec spec_of(const char* id, const char* what) {
    return sdk::ModelSpec(id)
        .name(what)
        .version("1.0.0")
        .description(what)
        .thread_safety(sdk::ThreadSafety::fully_safe)
        .input(sdk::Input::number("x", "x"))
        .output(sdk::Output("y", "twice x"));
}

#define MISBEHAVING_MODEL(Class, id, what, action)                       \
    class Class : public Misbehaving<action> {                         \
    public:                                                            \
        using Misbehaving::Misbehaving;                                \
        static sdk::ModelSpec spec() { return spec_of(id, what); }     \
    };

// Fails at the first row whose x is above 9, naming that row; and a model that fails naming a row
// far outside any batch, as a plugin that leaves error->row unset might.
class FailsAbove9 {
public:
    explicit FailsAbove9(const sdk::PreparedInputs&) {}
    static sdk::ModelSpec spec() { return spec_of("test.fails_above_9", "Fails where x > 9"); }
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            if (batch.input(row, 0) > 9) throw sdk::ModelError("x is above 9", static_cast<int64_t>(row));
            batch.output(row, 0) = 2 * batch.input(row, 0);
        }
    }
};
class BogusRow {
public:
    explicit BogusRow(const sdk::PreparedInputs&) {}
    static sdk::ModelSpec spec() { return spec_of("test.bogus_row", "Fails naming a row outside the batch"); }
    void evaluate(sdk::Batch&) const { throw sdk::ModelError("failed somewhere", int64_t{1} << 40); }
};

// Twice x, and a result table (ABI 1.4) with a NaN in row 1 of a column that does not allow an
// undefined value: the host refuses its tables, in-process or isolated alike.
class NanTable {
public:
    explicit NanTable(const sdk::PreparedInputs&) {}
    static sdk::ModelSpec spec() { return spec_of("test.nan_table", "A result table with a NaN it does not allow"); }
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2 * batch.input(row, 0);
    }
    std::vector<sdk::Table> tables() const {
        return {sdk::Table("cells", "Cells")
                    .text_column("name", "Name", {"a", "b"})
                    .number_column("v", "Value", "", {1.0, std::numeric_limits<double>::quiet_NaN()})};
    }
};

// Twice x, and a valid result table of 200,000 rows (1.6 MB of numbers, a fifth of
// IMPACT_MAX_TABLE_ROWS): larger than the 1 MiB a worker's channel starts with.
class BigTable {
public:
    static constexpr std::size_t kRows = 200000;
    explicit BigTable(const sdk::PreparedInputs&) {}
    static sdk::ModelSpec spec() { return spec_of("test.big_table", "A result table of 200,000 rows"); }
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2 * batch.input(row, 0);
    }
    std::vector<sdk::Table> tables() const {
        std::vector<double> values(kRows);
        for (std::size_t i = 0; i < kRows; ++i) values[i] = static_cast<double>(i) / 4;
        return {sdk::Table("big", "Big").number_column("v", "Value", "", std::move(values))};
    }
};

MISBEHAVING_MODEL(Fine, "test.fine", "Twice x, and nothing else", nothing)
MISBEHAVING_MODEL(Segfault, "test.segfault", "Dereferences a null pointer", crash)
MISBEHAVING_MODEL(Abort, "test.abort", "Calls abort()", std::abort)
MISBEHAVING_MODEL(Loop, "test.loop", "Never returns", hang)
MISBEHAVING_MODEL(Hog, "test.hog", "Allocates memory until it fails", exhaust_memory)
MISBEHAVING_MODEL(WriteFile, "test.write_file", "Opens a file for writing", write_file)
MISBEHAVING_MODEL(Socket, "test.socket", "Opens a network socket", open_socket)
MISBEHAVING_MODEL(Exit, "test.exit", "Calls exit(0)", end_process)

}  // namespace

IMPACT_PLUGIN("org.impact.test.misbehaving", "1.0.0", "Misbehaving models for the isolation tests", Fine, Segfault,
              Abort, Loop, Hog, WriteFile, Socket, Exit, FailsAbove9, BogusRow, NanTable, BigTable);
