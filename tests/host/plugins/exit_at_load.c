/* Test plugin exit_at_load: a library constructor that calls exit(0), so merely loading it ends the process. */
#include <impact/sdk/impact_plugin.h>

#include <stdlib.h>

/* Runs inside dlopen, before the host has read a single descriptor. */
__attribute__((constructor)) static void exit_when_loaded(void) { exit(0); }

/* Never reached: present so that the file is a plausible plugin and nothing else refuses it. */
IMPACT_PLUGIN_EXPORT int impact_test_exit_at_load_answer(void);
IMPACT_PLUGIN_EXPORT int impact_test_exit_at_load_answer(void) { return 42; }
