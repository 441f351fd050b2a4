// The command line's exit codes, documented in the README; scripts depend on them.
#pragma once

namespace impact::cli {

enum ExitCode : int {
    kExitSuccess = 0,
    kExitInternal = 1,      // a bug in impact itself: please report it
    kExitInputError = 2,    // usage error, bad input or data file, unknown model
    kExitModelFailed = 3,   // a model could not produce a result (or broke the plugin contract)
    kExitBeyondTolerance = 4,  // impact compare --tolerance: some output differs by more (the report is written)
};

}  // namespace impact::cli
