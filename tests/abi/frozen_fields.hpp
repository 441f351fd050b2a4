// The complete field list of each frozen ABI header, as X(type, field) macros: itself frozen.
// append_only_test.cpp (1.0), append_only_v1_1_test.cpp (1.1), append_only_v1_2_test.cpp (1.2) and
// append_only_v1_3_test.cpp (1.3) compare them with today's header.
#pragma once

// X(type, field): every field of the ABI 1.0 header.
#define IMPACT_V1_0_FIELDS(X)                                                                                  \
    X(impact_error, struct_size) X(impact_error, message) X(impact_error, message_capacity)                    \
    X(impact_error, input_key) X(impact_error, input_key_capacity) X(impact_error, row)                         \
    X(impact_series, struct_size) X(impact_series, label) X(impact_series, dates) X(impact_series, values)      \
    X(impact_series, count)                                                                                    \
    X(impact_input_descriptor, struct_size) X(impact_input_descriptor, key) X(impact_input_descriptor, label)   \
    X(impact_input_descriptor, description) X(impact_input_descriptor, kind) X(impact_input_descriptor, unit)   \
    X(impact_input_descriptor, flags) X(impact_input_descriptor, default_number)                               \
    X(impact_input_descriptor, default_text) X(impact_input_descriptor, min_value)                             \
    X(impact_input_descriptor, max_value)                                                                      \
    X(impact_output_descriptor, struct_size) X(impact_output_descriptor, key) X(impact_output_descriptor, label) \
    X(impact_output_descriptor, description) X(impact_output_descriptor, unit)                                 \
    X(impact_model_descriptor, struct_size) X(impact_model_descriptor, id) X(impact_model_descriptor, name)     \
    X(impact_model_descriptor, version) X(impact_model_descriptor, description)                                \
    X(impact_model_descriptor, thread_safety) X(impact_model_descriptor, inputs)                               \
    X(impact_model_descriptor, input_count) X(impact_model_descriptor, outputs)                                \
    X(impact_model_descriptor, output_count)                                                                   \
    X(impact_value, struct_size) X(impact_value, key) X(impact_value, kind) X(impact_value, text)               \
    X(impact_value, date) X(impact_value, number) X(impact_value, series) X(impact_value, series_count)         \
    X(impact_prepare_args, struct_size) X(impact_prepare_args, values) X(impact_prepare_args, value_count)      \
    X(impact_model_instance, model_data) X(impact_model_instance, evaluate) X(impact_model_instance, get_note)  \
    X(impact_model_instance, get_extension) X(impact_model_instance, destroy)                                  \
    X(impact_model_factory_v1, model_count) X(impact_model_factory_v1, model_descriptor)                       \
    X(impact_model_factory_v1, create)                                                                         \
    X(impact_plugin_entry, struct_size) X(impact_plugin_entry, abi_major) X(impact_plugin_entry, abi_minor)     \
    X(impact_plugin_entry, plugin_id) X(impact_plugin_entry, plugin_version) X(impact_plugin_entry, plugin_name) \
    X(impact_plugin_entry, get_interface)


// X(type, field): every field of the ABI 1.1 header: 1.0's and impact_model_descriptor.references.
#define IMPACT_V1_1_FIELDS(X) IMPACT_V1_0_FIELDS(X) X(impact_model_descriptor, references)

// X(type, field): every field of the ABI 1.2 header: 1.1's, impact_output_descriptor.flags and
// .direction, and the one function of the interface it added, impact_descriptor_diagnostics_v1.
#define IMPACT_V1_2_FIELDS(X)                                                                                  \
    IMPACT_V1_1_FIELDS(X) X(impact_output_descriptor, flags) X(impact_output_descriptor, direction)            \
    X(impact_descriptor_diagnostics_v1, descriptor_failure)

// X(type, field): every field of the ABI 1.3 header: 1.2's and impact_prepare_args.absent_row_inputs
// and .absent_row_input_count.
#define IMPACT_V1_3_FIELDS(X)                                                                                  \
    IMPACT_V1_2_FIELDS(X) X(impact_prepare_args, absent_row_inputs) X(impact_prepare_args, absent_row_input_count)
