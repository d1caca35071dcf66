// Placeholder until the Highway kernels land: the scalar table.
#include "engine/kernels/dot.h"

namespace sluice::engine::internal {
const DotKernels& BestDotKernels() { return ScalarDotKernels(); }
}  // namespace sluice::engine::internal
