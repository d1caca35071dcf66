// CLI subcommands for model files:
//   sluice model random OUT.gguf --arch llama|qwen2 --vocab N --embd N ...
//   sluice quantize IN.gguf OUT.gguf --type q8_0|q4_0|q4_k|q6_k|f16|bf16|f32
// Each subcommand runs from its CLI11 callback; a failure ends the program with
// exit code 1 (through CLI::RuntimeError) after printing the error.
#pragma once

namespace CLI {
class App;
}

void AddModelCommands(CLI::App& app);
