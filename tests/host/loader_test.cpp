// Tests LoadedPlugin::load and Registry::discover against every kind of bad plugin file.
#include "host/plugin_library.hpp"
#include "host/registry.hpp"
#include "host_test_support.hpp"

#include <catch2/catch.hpp>

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace {

using namespace host_test;
using impact::host::LoadedPlugin;
using impact::host::LoadError;
using impact::host::Registry;

// What LoadedPlugin::load did with one file. Observed in a child process: a loader that crashes
// on the file then fails this test with the signal instead of ending the test run.
struct LoadOutcome {
    ChildResult child;
    std::string kind;     // "loaded", "LoadError" or "other exception"
    std::string message;  // the plugin id, LoadError::what() or the other exception's what()
};

LoadOutcome load_in_child(const fs::path& file) {
    LoadOutcome outcome;
    outcome.child = run_in_child([&] {
        try {
            return "loaded\n" + LoadedPlugin::load(file)->info().id;
        } catch (const LoadError& e) {
            return std::string("LoadError\n") + e.what();
        } catch (const std::exception& e) {
            return std::string("other exception\n") + e.what();
        }
    });
    // The first line says what happened; the rest is the message verbatim (newlines included,
    // so that the one-line check below sees them).
    const std::string& out = outcome.child.output;
    const auto newline = out.find('\n');
    outcome.kind = out.substr(0, newline);
    outcome.message = newline == std::string::npos ? std::string() : out.substr(newline + 1);
    return outcome;
}

// Every refusal: no crash, a LoadError, one line, names the file, and says the specific reason.
void check_refused(const fs::path& file, const std::vector<std::string>& reason_parts) {
    const LoadOutcome outcome = load_in_child(file);
    INFO("file: " << file.string());
    INFO("child: " << outcome.child.describe());
    INFO("outcome: " << outcome.kind);
    INFO("message: " << outcome.message);
    REQUIRE(outcome.child.ok());
    REQUIRE(outcome.kind == "LoadError");
    CHECK(is_one_line(outcome.message));
    CHECK(contains(outcome.message, file.string()));
    // The path is taken out first: the reason's words must not come from the file name.
    const std::string reason = without(outcome.message, file.string());
    for (const std::string& part : reason_parts) {
        INFO("expected in the reason: " << part);
        CHECK(contains(reason, part));
    }
}

}  // namespace

TEST_CASE("host loader: good_a loads with its id and ABI and models") {
    const auto plugin = LoadedPlugin::load(good_a_file);
    const auto& info = plugin->info();
    CAPTURE(good_a_file.string(), info.id, info.version);
    CHECK(info.id == good_a_id);
    CHECK(info.version == "1.0.0");
    CHECK(info.file == good_a_file);
    CHECK(info.abi_major == IMPACT_ABI_MAJOR);
    CHECK(info.abi_minor == IMPACT_ABI_MINOR);
    std::vector<std::string> ids;
    for (const auto& model : info.models) ids.push_back(model.id);
    CAPTURE(ids);
    CHECK(ids == std::vector<std::string>{"test.add", "test.shared_id", "test.checked", "test.optional_row"});
    // ABI 1.3's flag reaches InputInfo.
    const impact::host::InputInfo* bonus = info.models.at(3).find_input("bonus");
    REQUIRE(bonus != nullptr);
    CHECK(bonus->optional_row);
    CHECK(bonus->is_row_input());
    CHECK_FALSE(info.models.at(3).find_input("x")->optional_row);
}

TEST_CASE("host loader: a text file named x.so is refused as not ELF") {
    const TempDir dir;
    const fs::path file = dir.path() / "x.so";
    write_file(file, "This file is named x.so but holds plain text, not a shared library; loading it must fail.\n");
    check_refused(file, {reason_not_elf});
}

TEST_CASE("host loader: good_a cut to 40 bytes is refused as too short") {
    const TempDir dir;
    check_refused(copy_prefix(good_a_file, dir.path() / "truncated_header.so", truncated_header_bytes),
                  {reason_too_short});
}

TEST_CASE("host loader: good_a cut to 1000 bytes is refused without a crash") {
    // The headers are intact, so dlopen maps segments that lie beyond the end of the file and
    // faults (SIGBUS) reading them: the host must check the file's size before dlopen.
    const TempDir dir;
    check_refused(copy_prefix(good_a_file, dir.path() / "truncated.so", truncated_copy_bytes), {reason_too_short});
}

TEST_CASE("host loader: a library without the entry symbol is refused") {
    check_refused(missing_entry_file, {reason_no_entry, reason_no_entry_hint});
}

TEST_CASE("host loader: an entry declaring ABI 2.0 is refused naming both versions") {
    check_refused(wrong_major_file, {"2.0", host_abi_version()});
}

TEST_CASE("host loader: a library exporting only impact_plugin_entry_v2 is refused as major 2") {
    check_refused(v2_only_file, {reason_future_major, "impact_plugin_entry_v2"});
}

TEST_CASE("host loader: an undefined symbol fails the load and is named") {
    check_refused(unresolved_file, {reason_undefined});
}

TEST_CASE("host loader: get_interface throwing a C++ exception is refused") {
    check_refused(throwing_interface_file, {reason_threw, "get_interface"});
}

TEST_CASE("host loader: a folder or a missing file is refused before dlopen") {
    const TempDir dir;
    fs::create_directory(dir.path() / "folder.so");
    check_refused(dir.path() / "folder.so", {"not a regular file"});
    check_refused(dir.path() / "absent.so", {"not a regular file"});
}

TEST_CASE("host loader: discover over every bad file plus good_a rejects each and keeps good_a working") {
    const TempDir dir;
    const std::vector<BadFile> bad = make_bad_plugin_folder(dir.path(), /*with_truncated_copy=*/true);
    const fs::path good = copy_file_to(good_a_file, dir.path() / "good_a" / "good_a.so");
    const std::vector<impact::host::SearchDir> search_path{{dir.path(), "test"}};

    // First in a child: if a bad file crashes the loader, this test fails with the signal
    // instead of ending the run, and the in-process checks below are skipped.
    const ChildResult child = run_in_child([&] {
        const Registry registry = Registry::discover(search_path);
        return std::to_string(registry.plugins().size()) + " loaded, " + std::to_string(registry.rejected().size()) +
               " rejected";
    });
    INFO("discover in a child process: " << child.describe() << ", " << child.output);
    REQUIRE(child.ok());

    const Registry registry = Registry::discover(search_path);
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.plugins()[0].plugin->info().id == good_a_id);
    CHECK(registry.plugins()[0].plugin->info().file == good);
    CHECK(registry.shadowed().empty());

    // good_a's models work although every other file in the folder is broken.
    const auto add = registry.find_model("test.add");
    REQUIRE(add);
    const auto instance = add->prepare({});
    const std::array<double, 4> rows{2.5, 4.0, -1.0, 0.25};  // (x, y) per row
    std::array<double, 2> sums{};
    instance.evaluate(rows, sums);
    CHECK(sums[0] == 2.5 + 4.0);
    CHECK(sums[1] == -1.0 + 0.25);

    // Each bad file is rejected once, with its own reason.
    CHECK(registry.rejected().size() == bad.size());
    for (const BadFile& b : bad) {
        INFO("bad file: " << b.kind << " at " << b.file.string());
        const auto& rejected = registry.rejected();
        const auto count = std::count_if(rejected.begin(), rejected.end(), [&](const auto& r) { return r.file == b.file; });
        REQUIRE(count == 1);
        const auto it = std::find_if(rejected.begin(), rejected.end(), [&](const auto& r) { return r.file == b.file; });
        INFO("reason: " << it->reason);
        CHECK(is_one_line(it->reason));
        CHECK(contains(it->reason, b.file.string()));
        const std::string reason = without(it->reason, b.file.string());
        for (const std::string& part : b.reason_parts) {
            INFO("expected in the reason: " << part);
            CHECK(contains(reason, part));
        }
    }
}

// ---- Descriptors a plugin cannot crash the host with (issue #6) ------------------------------

TEST_CASE("host loader: bad_descriptor.c without a defect loads, with every ABI 1.2 field read as declared") {
    const auto plugin = LoadedPlugin::load(bad_none_file);
    const auto& info = plugin->info();
    REQUIRE(info.models.size() == 1);
    const auto& model = info.models[0];
    REQUIRE(model.inputs.size() == 3);
    REQUIRE(model.outputs.size() == 2);
    const auto& amount = model.inputs[0];
    CHECK_FALSE(amount.min_value);
    CHECK_FALSE(amount.min_exclusive);
    CHECK_FALSE(amount.max_exclusive);
    const auto& rate = model.inputs[1];
    CHECK(rate.min_value == 0.0);
    CHECK(rate.min_exclusive);
    CHECK(rate.max_value == 1.0);
    CHECK_FALSE(rate.max_exclusive);
    const auto& days = model.inputs[2];
    CHECK_FALSE(days.min_value);
    CHECK_FALSE(days.min_exclusive);  // MIN_EXCLUSIVE means nothing without HAS_MIN
    CHECK(days.max_value == 365.0);
    CHECK(days.max_exclusive);
    CHECK(days.default_number == 30.0);
    CHECK(model.outputs[0].may_be_undefined);
    CHECK(model.outputs[0].direction == IMPACT_DIRECTION_HIGHER_IS_WORSE);
    CHECK_FALSE(model.outputs[1].may_be_undefined);
    CHECK(model.outputs[1].direction == IMPACT_DIRECTION_HIGHER_IS_BETTER);
}

TEST_CASE("host loader: each bad descriptor is refused with its own one-line reason, never a crash") {
    for (const BadDescriptor& bad : bad_descriptors()) {
        SECTION(bad.kind) { check_refused(bad.file, bad.reason_parts); }
    }
}

TEST_CASE("host loader: an ELF file with e_phoff near UINT64_MAX is refused, the sum does not wrap") {
    const TempDir dir;
    check_refused(elf_with_huge_phoff(dir.path() / "huge_phoff.so"), reason_huge_phoff);
}

TEST_CASE("host loader: a loadable segment whose p_offset + p_filesz wraps past UINT64_MAX is refused") {
    // good_a with a PT_LOAD's p_filesz set so that p_offset + p_filesz wraps to 0x100 (the
    // first segment starts at offset 0, so take one further into the file).
    std::string bytes = read_file(good_a_file);
    Elf64_Ehdr header{};
    REQUIRE(bytes.size() > sizeof header);
    std::memcpy(&header, bytes.data(), sizeof header);
    REQUIRE(header.e_phentsize == sizeof(Elf64_Phdr));
    bool patched = false;
    for (unsigned i = 0; i < header.e_phnum && !patched; ++i) {
        const std::size_t at = header.e_phoff + std::size_t{i} * sizeof(Elf64_Phdr);
        Elf64_Phdr segment{};
        std::memcpy(&segment, bytes.data() + at, sizeof segment);
        if (segment.p_type != PT_LOAD || segment.p_offset <= 0x100) continue;
        segment.p_filesz = UINT64_MAX - segment.p_offset + 1 + 0x100;
        std::memcpy(bytes.data() + at, &segment, sizeof segment);
        patched = true;
    }
    REQUIRE(patched);
    const TempDir dir;
    const fs::path file = dir.path() / "wrapping_segment.so";
    write_file(file, bytes);
    check_refused(file, {"invalid ELF file: loadable segment #", "ends past the largest file offset"});
}

TEST_CASE("host loader: SafeMemoryReader copies readable memory and refuses 0x1 and a freed page, by both methods") {
    using impact::host::SafeMemoryReader;
    for (const auto method : {SafeMemoryReader::Method::automatic, SafeMemoryReader::Method::pipe_only}) {
        CAPTURE(method == SafeMemoryReader::Method::automatic ? "automatic" : "pipe only");
        SafeMemoryReader reader(method);
        const std::string source(10000, 'x');
        std::string copy(source.size(), '\0');
        CHECK(reader.read(source.data(), copy.data(), copy.size()));
        CHECK(copy == source);
        char byte = 0;
        CHECK_FALSE(reader.read(reinterpret_cast<const void*>(std::uintptr_t{1}), &byte, 1));
        CHECK_FALSE(reader.read(nullptr, &byte, 1));

        // A string that ends right before an unmapped page reads; one that runs into it does not.
        const long page = ::sysconf(_SC_PAGESIZE);
        REQUIRE(page > 0);
        const auto page_bytes = static_cast<std::size_t>(page);
        void* mapped = ::mmap(nullptr, 2 * page_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(mapped != MAP_FAILED);
        char* first = static_cast<char*>(mapped);
        REQUIRE(::munmap(first + page_bytes, page_bytes) == 0);
        std::memset(first, 'a', page_bytes);
        first[page_bytes - 1] = '\0';
        std::string text;
        CHECK(reader.read_text(first + page_bytes - 6, 100, text) == SafeMemoryReader::TextResult::ok);
        CHECK(text == "aaaaa");
        CHECK(reader.read_text(first, 100, text) == SafeMemoryReader::TextResult::too_long);
        first[page_bytes - 1] = 'a';
        CHECK(reader.read_text(first + page_bytes - 6, 100, text) == SafeMemoryReader::TextResult::unreadable);
        CHECK(reader.read(first + page_bytes - 4, &byte, 1));
        char eight[8];
        CHECK_FALSE(reader.read(first + page_bytes - 4, eight, sizeof eight));
        REQUIRE(::munmap(first, page_bytes) == 0);
        CHECK_FALSE(reader.read(first, &byte, 1));
    }
}

TEST_CASE("host loader: keys are [a-z][a-z0-9_]*") {
    using impact::host::is_key;
    CHECK(is_key("amount"));
    CHECK(is_key("p2_value"));
    CHECK_FALSE(is_key(""));
    CHECK_FALSE(is_key("Amount"));
    CHECK_FALSE(is_key("2x"));
    CHECK_FALSE(is_key("_x"));
    CHECK_FALSE(is_key("a-b"));
    CHECK_FALSE(is_key("a.b"));
}
