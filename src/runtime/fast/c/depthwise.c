// The fast engine's depthwise convolution as WebAssembly: depthwise-kernels.h with four float
// lanes per vector (SIMD128's f32x4), exported to the engine (kernels.ts).
#define VLEN 4
#include "depthwise-kernels.h"

__attribute__((export_name("depthwiseConv")))
void depthwiseConv(const float *x, const float *w, const float *b, float *y, int N, int C, int mult, const int *g) {
  depthwiseConvImpl(x, w, b, y, N, C, mult, g);
}

__attribute__((export_name("depthwiseInputGrad")))
void depthwiseInputGrad(const float *dy, const float *w, float *dx, int N, int C, int mult, const int *g) {
  depthwiseInputGradImpl(dy, w, dx, N, C, mult, g);
}
