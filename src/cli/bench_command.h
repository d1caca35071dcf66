// sluice bench --model M [--prompt-tokens 128] [--gen-tokens 64] [--threads 2]:
// the embedded engine's prompt-processing and generation speed (see
// engine/tools/bench.h). Runs from its CLI11 callback; failure exits 1.
#pragma once

namespace CLI {
class App;
}

void AddBenchCommand(CLI::App& app);
