// The IR's textual form: printGraph and parseGraph, with print(parse(print(g))) === print(g).
//
// A graph reads like MLIR:
//
//   meta {producer="pytorch", opset="17"}
//   graph @main(%features: f32[1,64,T]) -> (%log_probs) {
//     %w = const f32[8,64,3] base64"...."
//     %b = const f32[8] [0.5, -1, 2.25, nan, inf, -0, 1.0e-45, 3]
//     %c = Conv(%features, %w, %b) {dilations=[1], group=1, pads=[1,1], strides=[1]} : f32[1,8,T]
//     %y, _ = Dropout(%c) : f32[1,8,T], _
//     %log_probs = LogSoftmax(%y) {axis=1} : f32[1,8,T]  @name("softmax_0")
//   }
//
// - `meta {k="v", ...}`: the graph's metadata (g.meta), only when the graph has some (an empty
//   record prints as `meta {}`, no line at all means no metadata).
// - Names: `%name` when the name is made of [A-Za-z0-9_.], else quoted with JSON escapes:
//   `%"onnx::Conv_12"`. Graph names likewise after `@`. Attribute names and meta keys are bare
//   identifiers or quoted; op names are bare unless they clash with a keyword (const, graph,
//   meta, _).
// - `_` is an omitted optional input or output (the IR's ""), and in a type list a value whose
//   type is not recorded.
// - Types: `dtype[dims]` with dims as dim expressions (`T`, `2*T+1`, `floor((T+1)/2)`), then
//   an optional quantization annotation `{q: scale=0.05, zp=3}`, `{q: axis=0, scale=[..],
//   zp=[..]}` or `{q: Q3.12}` (ir/text/type-text.ts).
// - Constants: `%w = const TYPE DATA`, data as a literal list for <= 16 elements or
//   base64"..." of the little-endian bytes (ir/text/tensor-text.ts); both are bit exact.
// - Nodes: `outs = Op(ins) {attrs} : types  @name("...")`. The attribute block is omitted when
//   empty; attributes are sorted by name (ir/text/attr-text.ts). The types follow ` : ` at the
//   end, so a CHECK line such as `%y = Conv(%x, %w) {pads=[1,1]}` matches as a substring. When
//   the types are left out, the parser infers them with the op's type rule. `@name(...)` is
//   printed only when the node's name differs from its first output's. A node without
//   outputs is written as just `Op(ins) {attrs}`.
// - Numbers print as the shortest decimal that parses back to the same double (`nan`, `inf`,
//   `-inf`, `-0` spelled out); float attributes of registered ops always show a `.` or an
//   exponent. Graph outputs may be written with types, `-> (%y: f32[1,8,T])`, which the parser
//   checks against the value's type; the printer leaves them out.
// - `//` starts a comment to the end of the line, so golden-test fixtures with `// RUN:` and
//   `// CHECK:` lines parse as they are. Errors give line:column (IrTextError).
//
// Not kept by the text: types recorded for names that are neither inputs, constants nor node
// outputs (stale entries of g.types).
export { printGraph, printNode, type PrintOptions } from "./print.js";
export { parseGraph, graphFromText } from "./parse.js";
export { IrTextError } from "./cursor.js";
export { formatType } from "./type-text.js";
export { formatTensor, MAX_LITERAL_ELEMENTS } from "./tensor-text.js";
export { formatAttrValue } from "./attr-text.js";
