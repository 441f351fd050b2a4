// Host-side storage a plugin writes its error into (impact_error), for the host and for impact-worker alike.
#pragma once

#include <impact/sdk/impact_plugin.h>

#include <array>
#include <cstdint>

namespace impact::host {

// Handed to the plugin with every call that can fail. Only the first byte of each buffer is
// cleared: zeroing 1,152 bytes cost ~29 ns a call (bench/README.md).
struct ErrorBuffer {
    std::array<char, 1024> message;
    std::array<char, 128> input_key;
    impact_error error{};

    ErrorBuffer() {
        message[0] = '\0';
        input_key[0] = '\0';
        error.struct_size = sizeof(impact_error);
        error.message = message.data();
        error.message_capacity = static_cast<uint32_t>(message.size());
        error.input_key = input_key.data();
        error.input_key_capacity = static_cast<uint32_t>(input_key.size());
        error.row = -1;
    }
    // Before reading: a plugin that ignored the capacity's NUL rule still yields terminated strings.
    void terminate() noexcept {
        message.back() = '\0';
        input_key.back() = '\0';
    }
};

}  // namespace impact::host
