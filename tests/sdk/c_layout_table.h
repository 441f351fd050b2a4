/* What c11_header_check.c exports: the C compiler's view of the SDK layout and a C-written entry. */
#ifndef IMPACT_TESTS_SDK_C_LAYOUT_TABLE_H
#define IMPACT_TESTS_SDK_C_LAYOUT_TABLE_H

#include <impact/sdk/impact_plugin.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One row per struct (field is "" : offset 0, size = sizeof, align = _Alignof) and one
 * row per field (align 0: C11 has no standard alignof of an expression). */
typedef struct impact_c_layout_row {
    const char* type;
    const char* field;
    size_t offset_bytes;
    size_t size_bytes;
    size_t align_bytes;
} impact_c_layout_row;

/* Defined in c11_header_check.c, compiled as strict C11. */
extern const impact_c_layout_row impact_c_layout[];
extern const size_t impact_c_layout_count;

/* A complete C-written plugin entry (model "c.check"), never exported: the C++ test reads
 * the structs it returns, so C-written bytes are read back with the C++ layout. */
const impact_plugin_entry* impact_c_check_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* IMPACT_TESTS_SDK_C_LAYOUT_TABLE_H */
