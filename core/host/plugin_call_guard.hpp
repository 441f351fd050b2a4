// Which in-process plugin call is running, so that a plugin calling exit() ends `impact` with exit 3 and a message.
#pragma once

namespace impact::host {

// Marks one in-process call into a plugin (load, prepare, evaluate, get_note, destroy, unload)
// as in flight for its lifetime. If the plugin calls exit() (or quick_exit()) meanwhile, the
// handler installed by install_plugin_exit_handler() prints which plugin file called it during
// which call, removes a report temporary that is being written (io::remove_pending_temporary)
// and ends the process with _exit(3), so the run fails loudly instead of ending with exit 0 and
// an empty stdout. This is the host's second piece of global mutable state
// (docs/architecture.md): one slot per thread holding its innermost call, which the handler
// reads on any thread. Cost: two relaxed stores to the thread's own slot per call (per batch
// for evaluate), no read-modify-write. `file` and `model_id` must outlive the guard (they point
// into the plugin's PluginInfo or the caller's path); `call` is a string literal.
class PluginCallGuard {
public:
    PluginCallGuard(const char* call, const char* file, const char* model_id = nullptr) noexcept;
    ~PluginCallGuard();
    PluginCallGuard(const PluginCallGuard&) = delete;
    PluginCallGuard& operator=(const PluginCallGuard&) = delete;

    const char* call() const noexcept { return call_; }
    const char* file() const noexcept { return file_; }
    const char* model_id() const noexcept { return model_id_; }

private:
    const char* call_;
    const char* file_;
    const char* model_id_;
    const PluginCallGuard* outer_;  // the call this one is nested in on this thread, or null
};

// Registers the exit handlers (on_exit and at_quick_exit) once; called first thing in main.
// _exit(), _Exit(), abort() and signals bypass every handler and cannot be caught in-process:
// that is what running a plugin isolated (a worker process) is for.
void install_plugin_exit_handler() noexcept;

}  // namespace impact::host
