/* Test plugin missing_entry: a loadable shared library that exports no Impact entry symbol. */
#include <impact/sdk/impact_plugin.h>

/* Exported so the library has a dynamic symbol table with something in it, just not the entry. */
IMPACT_PLUGIN_EXPORT int impact_test_missing_entry_answer(void);
IMPACT_PLUGIN_EXPORT int impact_test_missing_entry_answer(void) { return 42; }
