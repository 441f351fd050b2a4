// Test plugin throwing_interface: hand-written C ABI (no SDK wrapper) whose get_interface throws a
// C++ exception across the C boundary, which the host must turn into a refusal, not a crash.
#include <impact/sdk/impact_plugin.h>

#include <stdexcept>

namespace {

// Breaks the ABI rule "no exception crosses this boundary" on purpose.
const void* get_interface(const char* /*interface_id*/) {
    throw std::runtime_error("throwing_interface: get_interface always throws");
}

}  // namespace

extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1;
extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1 = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.test.throwing-interface", "1.0.0",
    "Throws from get_interface", &get_interface};
