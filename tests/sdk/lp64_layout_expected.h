/* The expected x86_64 LP64 layout of every SDK struct, worked out by hand from the ABI rules. */
#ifndef IMPACT_TESTS_SDK_LP64_LAYOUT_EXPECTED_H
#define IMPACT_TESTS_SDK_LP64_LAYOUT_EXPECTED_H

/*
 * These numbers are NOT read back from a compiler: they are derived from the System V
 * x86_64 psABI (LP64) so that a compiler, flag or header change that moves a field
 * fails the build instead of silently changing the binary contract.
 *
 * LP64 rules used: uint32_t/int32_t are 4 bytes aligned 4; uint64_t/int64_t/double and
 * every data or function pointer are 8 bytes aligned 8. A field starts at the next
 * multiple of its own alignment; a struct's alignment is its strictest field's, and its
 * size is rounded up to that alignment (tail padding).
 *
 * IMPACT_LP64_STRUCTS(X): X(type, size_bytes, align_bytes)
 * IMPACT_LP64_FIELDS(X):  X(type, field, offset_bytes, size_bytes)
 * (each the *_SINCE_1_0 list of structs that ABI 1.0 had, then the *_ADDED list of later ones)
 * Both are X-macros so the same table drives C11 _Static_assert, C++ static_assert and
 * the runtime C-versus-C++ comparison. Usable from C and C++.
 */

/* clang-format off */
#define IMPACT_LP64_STRUCTS_SINCE_1_0(X)                                                               \
    /* row ends at 40+8=48, already a multiple of 8 */                                      \
    X(impact_error,             48, 8)                                                       \
    /* count ends at 32+8=40 */                                                              \
    X(impact_series,            40, 8)                                                       \
    /* max_value ends at 80+8=88 */                                                          \
    X(impact_input_descriptor,  88, 8)                                                       \
    /* 1.2: direction ends at 44+4=48 (1.0 and 1.1 ended with unit at 32+8=40) */           \
    X(impact_output_descriptor, 48, 8)                                                       \
    /* 1.1: references ends at 80+8=88 (1.0 ended with output_count at 72+4=76 -> 80) */    \
    X(impact_model_descriptor,  88, 8)                                                       \
    /* series_count ends at 56+4=60, tail-padded to 64 */                                    \
    X(impact_value,             64, 8)                                                       \
    /* 1.3: absent_row_input_count ends at 32+4=36, tail-padded to 40                        \
       (1.0 to 1.2 ended with value_count at 16+4=20, tail-padded to 24) */                  \
    X(impact_prepare_args,      40, 8)                                                       \
    /* five pointers: 5*8 */                                                                 \
    X(impact_model_instance,    40, 8)                                                       \
    /* three function pointers: 3*8 */                                                       \
    X(impact_model_factory_v1,  24, 8)                                                       \
    /* get_interface ends at 40+8=48 */                                                      \
    X(impact_plugin_entry,      48, 8)

#define IMPACT_LP64_FIELDS_SINCE_1_0(X)                                                                \
    /* impact_error */                                                                       \
    X(impact_error, struct_size,                 0, 4)                                       \
    X(impact_error, message,                     8, 8)  /* 4 -> 8: pointer alignment */      \
    X(impact_error, message_capacity,           16, 4)                                       \
    X(impact_error, input_key,                  24, 8)  /* 20 -> 24 */                       \
    X(impact_error, input_key_capacity,         32, 4)                                       \
    X(impact_error, row,                        40, 8)  /* 36 -> 40: int64_t alignment */    \
    /* impact_series */                                                                      \
    X(impact_series, struct_size,                0, 4)                                       \
    X(impact_series, label,                      8, 8)  /* 4 -> 8 */                         \
    X(impact_series, dates,                     16, 8)                                       \
    X(impact_series, values,                    24, 8)                                       \
    X(impact_series, count,                     32, 8)                                       \
    /* impact_input_descriptor */                                                            \
    X(impact_input_descriptor, struct_size,      0, 4)                                       \
    X(impact_input_descriptor, key,              8, 8)  /* 4 -> 8 */                         \
    X(impact_input_descriptor, label,           16, 8)                                       \
    X(impact_input_descriptor, description,     24, 8)                                       \
    X(impact_input_descriptor, kind,            32, 4)                                       \
    X(impact_input_descriptor, unit,            40, 8)  /* 36 -> 40 */                       \
    X(impact_input_descriptor, flags,           48, 4)                                       \
    X(impact_input_descriptor, default_number,  56, 8)  /* 52 -> 56: double alignment */     \
    X(impact_input_descriptor, default_text,    64, 8)                                       \
    X(impact_input_descriptor, min_value,       72, 8)                                       \
    X(impact_input_descriptor, max_value,       80, 8)                                       \
    /* impact_output_descriptor */                                                           \
    X(impact_output_descriptor, struct_size,     0, 4)                                       \
    X(impact_output_descriptor, key,             8, 8)  /* 4 -> 8 */                         \
    X(impact_output_descriptor, label,          16, 8)                                       \
    X(impact_output_descriptor, description,    24, 8)                                       \
    X(impact_output_descriptor, unit,           32, 8)                                       \
    X(impact_output_descriptor, flags,          40, 4)  /* 1.2 */                            \
    X(impact_output_descriptor, direction,      44, 4)  /* 1.2 */                            \
    /* impact_model_descriptor */                                                            \
    X(impact_model_descriptor, struct_size,      0, 4)                                       \
    X(impact_model_descriptor, id,               8, 8)  /* 4 -> 8 */                         \
    X(impact_model_descriptor, name,            16, 8)                                       \
    X(impact_model_descriptor, version,         24, 8)                                       \
    X(impact_model_descriptor, description,     32, 8)                                       \
    X(impact_model_descriptor, thread_safety,   40, 4)                                       \
    X(impact_model_descriptor, inputs,          48, 8)  /* 44 -> 48 */                       \
    X(impact_model_descriptor, input_count,     56, 4)                                       \
    X(impact_model_descriptor, outputs,         64, 8)  /* 60 -> 64 */                       \
    X(impact_model_descriptor, output_count,    72, 4)                                       \
    X(impact_model_descriptor, references,      80, 8)  /* 1.1; 76 -> 80 */                  \
    /* impact_value */                                                                       \
    X(impact_value, struct_size,                 0, 4)                                       \
    X(impact_value, key,                         8, 8)  /* 4 -> 8 */                         \
    X(impact_value, kind,                       16, 4)                                       \
    X(impact_value, text,                       24, 8)  /* 20 -> 24 */                       \
    X(impact_value, date,                       32, 4)                                       \
    X(impact_value, number,                     40, 8)  /* 36 -> 40: double alignment */     \
    X(impact_value, series,                     48, 8)                                       \
    X(impact_value, series_count,               56, 4)                                       \
    /* impact_prepare_args */                                                                \
    X(impact_prepare_args, struct_size,          0, 4)                                       \
    X(impact_prepare_args, values,               8, 8)  /* 4 -> 8 */                         \
    X(impact_prepare_args, value_count,         16, 4)                                       \
    X(impact_prepare_args, absent_row_inputs,   24, 8)  /* 1.3; after 1.2's tail padding */  \
    X(impact_prepare_args, absent_row_input_count, 32, 4)  /* 1.3 */                         \
    /* impact_model_instance: no struct_size, it is a frozen function table */               \
    X(impact_model_instance, model_data,         0, 8)                                       \
    X(impact_model_instance, evaluate,           8, 8)                                       \
    X(impact_model_instance, get_note,          16, 8)                                       \
    X(impact_model_instance, get_extension,     24, 8)                                       \
    X(impact_model_instance, destroy,           32, 8)                                       \
    /* impact_model_factory_v1: frozen function table */                                     \
    X(impact_model_factory_v1, model_count,      0, 8)                                       \
    X(impact_model_factory_v1, model_descriptor, 8, 8)                                       \
    X(impact_model_factory_v1, create,          16, 8)                                       \
    /* impact_plugin_entry: three uint32_t pack into 0..12, then pointers from 16 */         \
    X(impact_plugin_entry, struct_size,          0, 4)                                       \
    X(impact_plugin_entry, abi_major,            4, 4)                                       \
    X(impact_plugin_entry, abi_minor,            8, 4)                                       \
    X(impact_plugin_entry, plugin_id,           16, 8)  /* 12 -> 16 */                       \
    X(impact_plugin_entry, plugin_version,      24, 8)                                       \
    X(impact_plugin_entry, plugin_name,         32, 8)                                       \
    X(impact_plugin_entry, get_interface,       40, 8)

/* Structs added after 1.0 (no frozen 1.0 counterpart to compare with): those of 1.2, which the
 * frozen 1.2 and 1.3 headers also have, then those of 1.4. */
#define IMPACT_LP64_STRUCTS_ADDED_1_2(X)                                                     \
    /* 1.2: one function pointer */                                                          \
    X(impact_descriptor_diagnostics_v1, 8, 8)
#define IMPACT_LP64_FIELDS_ADDED_1_2(X)                                                      \
    /* impact_descriptor_diagnostics_v1 (1.2): frozen function table */                      \
    X(impact_descriptor_diagnostics_v1, descriptor_failure, 0, 8)
#define IMPACT_LP64_STRUCTS_ADDED_1_4(X)                                                     \
    /* 1.4: texts ends at 48+8=56 */                                                         \
    X(impact_table_column,              56, 8)                                               \
    /* 1.4: row_count ends at 48+8=56 */                                                     \
    X(impact_table,                     56, 8)                                               \
    /* 1.4: two function pointers: 2*8 */                                                    \
    X(impact_tables_v1,                 16, 8)
#define IMPACT_LP64_FIELDS_ADDED_1_4(X)                                                      \
    /* impact_table_column (1.4) */                                                          \
    X(impact_table_column, struct_size,          0, 4)                                       \
    X(impact_table_column, key,                  8, 8)  /* 4 -> 8 */                         \
    X(impact_table_column, label,               16, 8)                                       \
    X(impact_table_column, unit,                24, 8)                                       \
    X(impact_table_column, kind,                32, 4)                                       \
    X(impact_table_column, flags,               36, 4)                                       \
    X(impact_table_column, numbers,             40, 8)                                       \
    X(impact_table_column, texts,               48, 8)                                       \
    /* impact_table (1.4) */                                                                 \
    X(impact_table, struct_size,                 0, 4)                                       \
    X(impact_table, key,                         8, 8)  /* 4 -> 8 */                         \
    X(impact_table, label,                      16, 8)                                       \
    X(impact_table, description,                24, 8)                                       \
    X(impact_table, columns,                    32, 8)                                       \
    X(impact_table, column_count,               40, 4)                                       \
    X(impact_table, row_count,                  48, 8)  /* 44 -> 48: uint64_t alignment */   \
    /* impact_tables_v1 (1.4): frozen function table */                                      \
    X(impact_tables_v1, table_count,             0, 8)                                       \
    X(impact_tables_v1, table,                   8, 8)
#define IMPACT_LP64_STRUCTS_ADDED(X) IMPACT_LP64_STRUCTS_ADDED_1_2(X) IMPACT_LP64_STRUCTS_ADDED_1_4(X)
#define IMPACT_LP64_FIELDS_ADDED(X) IMPACT_LP64_FIELDS_ADDED_1_2(X) IMPACT_LP64_FIELDS_ADDED_1_4(X)

/* Every struct and field the 1.2 and 1.3 headers have (1.3 added fields, no struct): what the
 * append-only tests of those headers can compare, since the 1.4 structs have no frozen view. */
#define IMPACT_LP64_STRUCTS_V1_3(X) IMPACT_LP64_STRUCTS_SINCE_1_0(X) IMPACT_LP64_STRUCTS_ADDED_1_2(X)
#define IMPACT_LP64_FIELDS_V1_3(X) IMPACT_LP64_FIELDS_SINCE_1_0(X) IMPACT_LP64_FIELDS_ADDED_1_2(X)

#define IMPACT_LP64_STRUCTS(X) IMPACT_LP64_STRUCTS_SINCE_1_0(X) IMPACT_LP64_STRUCTS_ADDED(X)
#define IMPACT_LP64_FIELDS(X) IMPACT_LP64_FIELDS_SINCE_1_0(X) IMPACT_LP64_FIELDS_ADDED(X)
/* clang-format on */

#endif /* IMPACT_TESTS_SDK_LP64_LAYOUT_EXPECTED_H */
