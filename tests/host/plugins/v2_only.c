/* Test plugin v2_only: exports only impact_plugin_entry_v2, as a plugin of a future ABI major would. */
#include <impact/sdk/impact_plugin.h>

#include <stddef.h>

static const void* get_interface(const char* interface_id) {
    (void)interface_id;
    return NULL;
}

/* A real major-2 entry may have another layout; the host must only see the symbol's name. */
IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v2 = {
    sizeof(impact_plugin_entry), 2u, 0u, "org.impact.test.v2-only", "2.0.0", "Future ABI major 2",
    &get_interface};
