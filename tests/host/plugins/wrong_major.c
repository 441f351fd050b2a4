/* Test plugin wrong_major: exports the v1 entry symbol but declares ABI 2.0, so the host must refuse it. */
#include <impact/sdk/impact_plugin.h>

#include <stddef.h>

/* Never called: the host must stop at the ABI major before asking for any interface. */
static const void* get_interface(const char* interface_id) {
    (void)interface_id;
    return NULL;
}

/* Hand-written rather than IMPACT_PLUGIN(): the macro always writes the SDK's own major. */
IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1 = {
    sizeof(impact_plugin_entry), 2u, 0u, "org.impact.test.wrong-major", "2.0.0", "Declares ABI 2.0",
    &get_interface};
