/* Test plugin unresolved: calls a function no library defines, so dlopen(RTLD_NOW) must fail. */
#include <impact/sdk/impact_plugin.h>

/* Declared, never defined: the link leaves it undefined because this module is built without
 * -z defs (tests/host/CMakeLists.txt). The name is what the load error must quote. */
extern const void* impact_test_never_defined(const char* interface_id);

/* Calling it from the entry's code is what puts the undefined reference into the library. */
static const void* get_interface(const char* interface_id) { return impact_test_never_defined(interface_id); }

IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1 = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.test.unresolved", "1.0.0",
    "References an undefined function", &get_interface};
