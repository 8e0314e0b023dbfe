// `neonc tensor info|to-raw|from-raw|compare`: TensorProto (.pb) files and the raw files the
// generated C harness reads and writes (src/adapters/onnx/raw.ts), for using the generated code
// by hand: turn a .pb input into the harness's input, and its output back into a .pb, or compare
// it with a reference directly.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { ModelError, UsageError } from "../../../../ir/errors.js";
import { compareTensors } from "../../../../codegen/build.js";
import { encodeTensorFile, readTensorFile } from "../../../adapters/onnx/tensor.js";
import { rawTensorBytes, readComparable, readRawFile } from "../../../adapters/onnx/raw.js";

function parseShape(text: string): number[] {
  const dims = text.split(",").map((d) => d.trim());
  if (text.trim() === "" || dims.some((d) => !/^\d+$/.test(d))) throw new InvalidArgumentError("expected whole numbers separated by commas, like 1,29,146");
  return dims.map(Number);
}

function write(file: string, bytes: Uint8Array): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, bytes);
}

export function registerTensor(program: Command): void {
  const cmd = program
    .command("tensor")
    .summary("show, convert and compare tensor files (.pb TensorProto and the generated harness's raw files)")
    .description(
      "Tensor files: ONNX TensorProto (.pb) and raw files (the elements in row-major order, little-endian, no header), " +
        "which the harness of `neonc compile` (main.c) reads and writes.",
    );
  cmd
    .command("info")
    .summary("print a .pb file's tensor name, data type and shape")
    .argument("<file.pb>", "TensorProto file")
    .action((file: string) => {
      const { name, tensor } = readTensorFile(file);
      process.stdout.write(`${name || "(unnamed)"} ${tensor.dtype}[${tensor.shape.join(",")}]\n`);
    });
  cmd
    .command("to-raw")
    .summary("write a .pb file's data as a raw file (the harness's input)")
    .argument("<file.pb>", "TensorProto file")
    .argument("<out.bin>", "raw file to write")
    .action((file: string, out: string) => {
      const { tensor } = readTensorFile(file);
      write(out, rawTensorBytes(tensor));
      process.stdout.write(`wrote ${out}: ${tensor.dtype}[${tensor.shape.join(",")}], ${rawTensorBytes(tensor).length} bytes\n`);
    });
  cmd
    .command("from-raw")
    .summary("write a raw file (the harness's output) as a .pb file")
    .argument("<in.bin>", "raw file")
    .argument("<out.pb>", "TensorProto file to write")
    .option("--like <ref.pb>", "take the data type, shape and name of this .pb file")
    .option("--dtype <type>", "data type (f32, i8, u8, i16, i32, i64, ...), without --like")
    .option("--shape <dims>", "shape, like 1,29,146, without --like", parseShape)
    .option("--name <name>", "the TensorProto name (default: --like's, else none)")
    .action((file: string, out: string, flags: { like?: string; dtype?: string; shape?: number[]; name?: string }) => {
      if (flags.like && (flags.dtype || flags.shape)) throw new UsageError("give either --like or --dtype and --shape, not both");
      if (!flags.like && !(flags.dtype && flags.shape)) throw new UsageError("give --like REF.pb, or --dtype and --shape");
      const ref = flags.like ? readTensorFile(flags.like) : undefined;
      const like = ref?.tensor ?? { dtype: flags.dtype!, shape: flags.shape! };
      const t = readRawFile(file, like as { dtype: never; shape: number[] });
      write(out, encodeTensorFile(t, flags.name ?? ref?.name ?? ""));
      process.stdout.write(`wrote ${out}: ${t.dtype}[${t.shape.join(",")}]\n`);
    });
  cmd
    .command("compare")
    .summary("compare a tensor with a reference: largest difference, relative to the largest magnitude")
    .argument("<file>", ".pb file, or a raw file read with the reference's data type and shape")
    .argument("<ref>", "reference .pb file (or raw, when <file> is a .pb)")
    .option("--tolerance <x>", "exit 1 when max|a - ref| / max|ref| is above this", "1e-4")
    .action((a: string, b: string, flags: { tolerance: string }) => {
      const tol = Number(flags.tolerance);
      if (!(tol >= 0)) throw new UsageError(`--tolerance ${flags.tolerance}: expected a non-negative number`);
      const t = readComparable(a, b);
      if (t.a.dtype !== t.b.dtype || t.a.shape.join(",") !== t.b.shape.join(",")) {
        throw new ModelError(`${a} is ${t.a.dtype}[${t.a.shape.join(",")}] but ${b} is ${t.b.dtype}[${t.b.shape.join(",")}]`);
      }
      const c = compareTensors(t.a, t.b);
      process.stdout.write(`max abs difference ${c.maxAbs.toExponential(2)} (${c.rel.toExponential(2)} of max |ref| ${c.maxRef.toPrecision(4)}) over ${t.b.data.length} elements\n`);
      if (!(c.rel <= tol)) throw new ModelError(`${a} differs from ${b}: relative error ${c.rel.toExponential(2)} is above the tolerance ${tol}`);
    });
}
