// io::read_input_file: regular files only, opened without blocking, read within a byte cap.
#include "io_test_support.hpp"

#include "data/csv.hpp"
#include "io/input_file.hpp"
#include "scenario/scenario.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace {

using namespace io_test;
using impact::UserError;
using impact::io::kBytesPerMegabyte;
using impact::io::read_input_file;

std::string refusal_of(const fs::path& file, std::uint64_t max_bytes) {
    try {
        read_input_file(file, "file", max_bytes);
    } catch (const UserError& e) {
        return e.what();
    }
    return "no error";
}

// A file of `size_bytes` that takes no space (a hole), for sizes over the limit.
fs::path sparse_file(const TempDir& dir, const std::string& name, std::uintmax_t size_bytes) {
    const fs::path file = dir.write(name, "");
    fs::resize_file(file, size_bytes);
    return file;
}

}  // namespace

TEST_CASE("read_input_file reads a regular file whole", "[io]") {
    TempDir dir;
    const std::string content = std::string("a,b\n1,2\n") + '\0' + "tail";
    const fs::path file = dir.write("in.csv", content);
    CHECK(read_input_file(file, "file", 1024) == content);
    CHECK(read_input_file(file, "file", content.size()) == content);  // exactly at the cap
    CHECK(read_input_file(dir.write("empty.csv", ""), "file", 0).empty());
}

TEST_CASE("read_input_file refuses a FIFO at once instead of waiting for a writer", "[io]") {
    TempDir dir;
    const fs::path fifo = dir.path() / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const auto start = std::chrono::steady_clock::now();
    CHECK(refusal_of(fifo, 1024) == fifo.string() + ": expected a regular file, found a FIFO");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("read_input_file refuses a device and a directory", "[io]") {
    CHECK(refusal_of("/dev/zero", 1024) == "/dev/zero: expected a regular file, found a character device");
    TempDir dir;
    CHECK(refusal_of(dir.path(), 1024) == dir.path().string() + ": expected a regular file, found a directory");
}

TEST_CASE("read_input_file refuses a file over the cap without reading it", "[io]") {
    TempDir dir;
    const fs::path big = sparse_file(dir, "big.toml", 300 * kBytesPerMegabyte);
    CHECK(refusal_of(big, 64 * kBytesPerMegabyte) ==
          big.string() + ": is 300.0 MB; the input limit is 64 MB (--max-input-mb)");
    const fs::path one_over = dir.write("one-over.csv", std::string(1025, 'x'));
    CHECK(refusal_of(one_over, 1024) == one_over.string() + ": is 1025 bytes; the input limit is 1024 bytes (--max-input-mb)");
}

TEST_CASE("read_input_file names what it could not open", "[io]") {
    CHECK_THROWS_WITH(read_input_file("/nonexistent/s.toml", "scenario file", 1024),
                      "/nonexistent/s.toml: cannot open scenario file for reading");
}

TEST_CASE("read_csv and read_scenario_file apply the cap they are given", "[io]") {
    TempDir dir;
    const fs::path csv = dir.write("prices.csv", "date,close\n2025-01-02,1\n");
    CHECK_THROWS_WITH(impact::data::read_csv(csv, {}, 8),
                      csv.string() + ": is 24 bytes; the input limit is 8 bytes (--max-input-mb)");
    CHECK(impact::data::read_csv(csv, {}, 1024).rows.size() == 1);
    const fs::path toml = dir.write("s.toml", "[scenario]\nname = \"cap\"\n\n[[step]]\nid = \"a\"\nmodel = \"fx.convert\"\n");
    CHECK_THROWS_WITH(impact::scenario::read_scenario_file(toml, 8),
                      toml.string() + ": is 64 bytes; the input limit is 8 bytes (--max-input-mb)");
    CHECK(impact::scenario::read_scenario_file(toml, 1024).max_input_bytes == 1024);
}
