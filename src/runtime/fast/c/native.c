// The fast engine's native kernels: the same sums as the interpreter's sgemm (ir/kernels/gemm.ts)
// and as the WebAssembly build (gemm.c; the blocking and rounding points: sgemm-blocks.h), and its
// depthwise convolution forward and input gradient (depthwise-kernels.h, as wide as sgemm), built
// on the user's machine with its C compiler (-O2 -march=native) into a Node-API addon, and run on
// the typed arrays' own memory (no copies). The sums run VL outputs per vector (GCC vector
// extensions, as wide as the machine's vectors allow: across columns j, never across k), in the
// reference's k order, so the bits agree. Build flags forbid FMA contraction and fast-math
// (-ffp-contract=off -fno-fast-math). native.ts compiles this file with the two headers inlined.
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define VL 16       /* floats per vector: AVX-512 holds one, AVX2 two halves, SSE four quarters */
#define MR 8        /* rows of a tile */
#define NR (2 * VL) /* columns of a tile: two vectors */

typedef float vf __attribute__((vector_size(VL * 4), aligned(4)));

/* One MR x NR tile: t[r*NR + j] = sum over p of a(r, p) * b(p, j) in float32, in p order; row p
   of the B panel starts at b + p*ldb. Sixteen vector sums, two of b and one broadcast fit the 32
   vector registers of AVX-512 and aarch64 (with AVX2 the compiler splits each in two). */
static void tile(int kc, const float *a, const float *b, long ldb, float *t) {
  vf c[MR][2];
  memset(c, 0, sizeof c);
  for (int p = 0; p < kc; p++, a += MR, b += ldb) {
    vf b0, b1;
    memcpy(&b0, b, sizeof b0);
    memcpy(&b1, b + VL, sizeof b1);
#pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      c[r][0] += a[r] * b0;
      c[r][1] += a[r] * b1;
    }
  }
  for (int r = 0; r < MR; r++) {
    memcpy(t + r * NR, &c[r][0], sizeof c[r][0]);
    memcpy(t + r * NR + VL, &c[r][1], sizeof c[r][1]);
  }
}

#include "sgemm-blocks.h"

#define VLEN VL
#include "depthwise-kernels.h"

/* ---- Node-API glue ---- */

static int argInt(napi_env env, napi_value v) { int32_t x = 0; napi_get_value_int32(env, v, &x); return x; }
static double argDouble(napi_env env, napi_value v) { double x = 0; napi_get_value_double(env, v, &x); return x; }
static int argBool(napi_env env, napi_value v) { bool x = false; napi_get_value_bool(env, v, &x); return x; }
/* The data of a typed array of the given type (its own offset applied); NULL when v is not one. */
static void *argArray(napi_env env, napi_value v, napi_typedarray_type want) {
  napi_typedarray_type type; size_t length; void *data; napi_value buffer; size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok || type != want) return NULL;
  return data;
}
static float *argF32(napi_env env, napi_value v) { return (float *)argArray(env, v, napi_float32_array); }

/* sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) -> undefined */
static napi_value jsSgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value a[16];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc != 16) { napi_throw_error(env, NULL, "sgemm takes 16 arguments"); return NULL; }
  float *A = argF32(env, a[6]), *B = argF32(env, a[9]), *C = argF32(env, a[13]);
  if (!A || !B || !C) { napi_throw_type_error(env, NULL, "sgemm: A, B and C must be Float32Arrays"); return NULL; }
  sgemmBlocked(argBool(env, a[0]), argBool(env, a[1]), argInt(env, a[2]), argInt(env, a[3]), argInt(env, a[4]), argDouble(env, a[5]),
        A + argInt(env, a[7]), argInt(env, a[8]), B + argInt(env, a[10]), argInt(env, a[11]), argDouble(env, a[12]),
        C + argInt(env, a[14]), argInt(env, a[15]));
  return NULL;
}

static const int *argI32(napi_env env, napi_value v) { return (const int *)argArray(env, v, napi_int32_array); }

/* depthwiseConv(x, w, b | null, y, N, C, mult, geometry: Int32Array(18)) -> undefined */
static napi_value jsDepthwiseConv(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value a[8];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  napi_valuetype bt = napi_undefined;
  if (argc == 8) napi_typeof(env, a[2], &bt);
  float *x = argF32(env, a[0]), *w = argF32(env, a[1]), *b = bt == napi_null ? NULL : argF32(env, a[2]), *y = argF32(env, a[3]);
  const int *g = argI32(env, a[7]);
  if (argc != 8 || !x || !w || (bt != napi_null && !b) || !y || !g) { napi_throw_type_error(env, NULL, "depthwiseConv: bad arguments"); return NULL; }
  depthwiseConvImpl(x, w, b, y, argInt(env, a[4]), argInt(env, a[5]), argInt(env, a[6]), g);
  return NULL;
}

/* depthwiseInputGrad(dy, w, dx, N, C, mult, geometry: Int32Array(18)) -> undefined */
static napi_value jsDepthwiseInputGrad(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value a[7];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  float *dy = argF32(env, a[0]), *w = argF32(env, a[1]), *dx = argF32(env, a[2]);
  const int *g = argI32(env, a[6]);
  if (argc != 7 || !dy || !w || !dx || !g) { napi_throw_type_error(env, NULL, "depthwiseInputGrad: bad arguments"); return NULL; }
  depthwiseInputGradImpl(dy, w, dx, argInt(env, a[3]), argInt(env, a[4]), argInt(env, a[5]), g);
  return NULL;
}

static void exportFunction(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  exportFunction(env, exports, "sgemm", jsSgemm);
  exportFunction(env, exports, "depthwiseConv", jsDepthwiseConv);
  exportFunction(env, exports, "depthwiseInputGrad", jsDepthwiseInputGrad);
  return exports;
}
