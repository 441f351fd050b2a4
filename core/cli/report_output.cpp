// `--format`, `-o`, `--template` and `--locale` of run and sensitivity: which reports, rendered once, written together.
#include "cli/commands.hpp"

#include "io/input_file.hpp"
#include "io/output_file.hpp"
#include "report/report_formats.hpp"
#include "report/html_report.hpp"
#include "report/template_check.hpp"
#include "report/xlsx_report.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <system_error>

namespace impact::cli {

namespace {

namespace fs = std::filesystem;
using report::ReportFormat;

bool requested(const std::vector<ReportFormat>& formats, ReportFormat format) {
    return std::find(formats.begin(), formats.end(), format) != formats.end();
}

// The time reports say they were made: SOURCE_DATE_EPOCH when set (reproducible output, and the
// golden files' fixed clock), else now.
long long report_clock() {
    const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
    if (!epoch) return static_cast<long long>(std::time(nullptr));
    const std::string_view text(epoch);
    long long seconds = 0;
    const bool digits = !text.empty() && text.size() <= 12 && text.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) seconds = std::stoll(std::string(text));
    if (!digits || seconds > 253402300799LL)  // 9999-12-31T23:59:59Z
        throw UserError(fmt::format("SOURCE_DATE_EPOCH: expected seconds since 1970-01-01 UTC as digits, found \"{}\"",
                                    text::printable(text)));
    return seconds;
}

}  // namespace

ReportRequest check_report_request(const GlobalOptions& options, const ReportOutputOptions& report, report::ReportKind kind) {
    ReportRequest request;
    request.formats = report::parse_formats(report.formats);
    request.output = report.output;
    request.locale = text::parse_locale(report.locale);
    request.generated_at_unix = report_clock();
    const bool several = request.formats.size() > 1;
    if (!request.output) {
        if (several)
            throw UserError(fmt::format("--format {}: expected -o FOLDER for several formats (one file each), found none",
                                        report.formats));
        if (!report::prints_to_terminal(request.formats.front()))
            throw UserError(fmt::format("--format {}: expected -o FILE, found none (an Excel workbook is not written to "
                                        "standard output)",
                                        report.formats));
    }
    for (const std::string& written : report.templates) {
        // "md=FILE", "html=FILE", or FILE for the one templated format asked for.
        std::optional<ReportFormat> format;
        std::string file = written;
        if (const std::size_t eq = written.find('='); eq != std::string::npos && (written.substr(0, eq) == "md" || written.substr(0, eq) == "html")) {
            format = written.substr(0, eq) == "md" ? ReportFormat::md : ReportFormat::html;
            file = written.substr(eq + 1);
        } else {
            const bool md = requested(request.formats, ReportFormat::md), html = requested(request.formats, ReportFormat::html);
            if (md == html)
                throw UserError(fmt::format("--template {}: expected md=FILE or html=FILE when {}, found a plain file name",
                                            text::printable(written), md ? "both md and html are written" : "neither md nor html is written"));
            format = md ? ReportFormat::md : ReportFormat::html;
        }
        if (!requested(request.formats, *format))
            throw UserError(fmt::format("--template {}: expected --format to include {}, found --format {}",
                                        text::printable(written), report::format_name(*format), report.formats));
        std::string text = io::read_input_file(file, "template", options.max_input_bytes());
        if (text.empty())
            throw UserError(fmt::format("{}: template: expected a Mustache template, found an empty file", text::printable(file)));
        // Checked now, before anything runs: mstch itself reports nothing (report/template_check.hpp).
        report::check_template(text, report::template_fields(*format, kind), file);
        std::string& target = *format == ReportFormat::md ? request.markdown_template : request.html_template;
        std::string& target_name = *format == ReportFormat::md ? request.markdown_template_name : request.html_template_name;
        if (!target.empty())
            throw UserError(fmt::format("--template {}: expected one template for {}, found a second", text::printable(written),
                                        report::format_name(*format)));
        target = std::move(text);
        target_name = file;
    }
    return request;
}

void write_reports(const ReportRequest& request, const ReportDestination& destination, const ReportRenderers& renderers) {
    const auto streamed = [&](ReportFormat f) {
        return f == ReportFormat::text || f == ReportFormat::json || (f == ReportFormat::csv && renderers.csv);
    };
    const bool needs_view = !std::all_of(request.formats.begin(), request.formats.end(), streamed);
    std::optional<io::Json> view;
    if (needs_view) view = renderers.view(report::ViewOptions{request.locale, request.generated_at_unix});
    // Every report is made before the first is written: a failure anywhere writes nothing.
    const auto produce = [&](ReportFormat format) -> io::ContentProducer {
        switch (format) {
            case ReportFormat::text: return renderers.text;
            case ReportFormat::json: return renderers.json;
            case ReportFormat::csv:
                if (renderers.csv) return renderers.csv;
                break;
            default: break;
        }
        auto content = std::make_shared<std::string>();
        switch (format) {
            case ReportFormat::md: *content = report::render_markdown(*view, request.markdown_template, request.markdown_template_name); break;
            case ReportFormat::csv: *content = report::render_csv(*view); break;
            case ReportFormat::xlsx: *content = report::render_xlsx(*view); break;
            case ReportFormat::html: *content = report::render_html(*view, request.html_template, request.html_template_name); break;
            default: break;
        }
        return [content](const io::ContentSink& write) { write(*content); };
    };

    if (!request.output) {
        produce(request.formats.front())([](std::string_view piece) { fmt::print("{}", piece); });
        return;
    }
    std::error_code ec;

    // One format: -o names the file (a folder there is refused, as for any report). Several: -o
    // names the folder (made if missing, one level) that gets STEM.EXT for each. Every report
    // is rendered before the folder is made, so a failure leaves nothing behind.
    const fs::path& output = *request.output;
    const bool into_folder = request.formats.size() > 1;
    std::vector<io::OutputToWrite> outputs;
    for (const ReportFormat format : request.formats) {
        fs::path file = into_folder ? output / fs::path(destination.stem + std::string(report::format_extension(format)))
                                    : output;
        outputs.push_back(io::OutputToWrite{std::move(file), produce(format)});
    }
    bool made_folder = false;
    if (into_folder && !fs::is_directory(output, ec)) {
        if (fs::exists(fs::symlink_status(output, ec)))
            throw UserError(fmt::format("{}: cannot write: expected a folder for {} report formats, found a file",
                                        text::printable(output.string()), request.formats.size()));
        if (!fs::create_directory(output, ec) && ec)
            throw UserError(fmt::format("{}: cannot write: cannot make the folder ({}); make it first",
                                        text::printable(output.string()), ec.message()));
        made_folder = true;
    }
    try {
        io::write_files_atomically(outputs, destination.protected_files);
    } catch (...) {
        if (made_folder) fs::remove(output, ec);  // empty: nothing was renamed into it
        throw;
    }
    for (const io::OutputToWrite& o : outputs) fmt::print(stderr, "impact: wrote {}\n", text::printable(o.file.string()));
}

}  // namespace impact::cli
