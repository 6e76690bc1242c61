/**
 * The ONNX model of one float64 GEMM, Y = op(A)·op(B), with symbolic dimensions, written as
 * protobuf bytes. Only the handful of fields a one-node graph needs are encoded; field numbers
 * are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
 * TypeProto.Tensor, TensorShapeProto).
 */

const DOUBLE = 11; // TensorProto.DataType.DOUBLE
const OPSET = 13;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, v: number) => [...tag(field, 0), ...varint(v)];
const bytes = (field: number, b: number[]) => [...tag(field, 2), ...varint(b.length), ...b];
const text = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);

/** ValueInfoProto of a rank-2 double tensor with symbolic dimensions. */
function matrixInfo(name: string, rows: string, cols: string): number[] {
  const dim = (param: string) => bytes(1, text(2, param)); // Dimension.dim_param
  const shape = [...dim(rows), ...dim(cols)];
  const tensorType = [...int(1, DOUBLE), ...bytes(2, shape)];
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))];
}

/** AttributeProto of type INT (2). */
function intAttribute(name: string, v: number): number[] {
  return [...text(1, name), ...int(3, v), ...int(20, 2)];
}

/** Model bytes for Y = op(A)·op(B) with inputs "A", "B" and output "Y". */
export function gemmModel(transA: boolean, transB: boolean): Uint8Array {
  const node = [
    ...text(1, "A"),
    ...text(1, "B"),
    ...text(2, "Y"),
    ...text(4, "Gemm"),
    ...bytes(5, intAttribute("transA", transA ? 1 : 0)),
    ...bytes(5, intAttribute("transB", transB ? 1 : 0)),
  ];
  const a = transA ? matrixInfo("A", "K", "M") : matrixInfo("A", "M", "K");
  const b = transB ? matrixInfo("B", "N", "K") : matrixInfo("B", "K", "N");
  const graph = [
    ...bytes(1, node),
    ...text(2, "gemm"),
    ...bytes(11, a),
    ...bytes(11, b),
    ...bytes(12, matrixInfo("Y", "M", "N")),
  ];
  const opset = [...text(1, ""), ...int(2, OPSET)];
  return Uint8Array.from([...int(1, 8), ...bytes(8, opset), ...bytes(7, graph)]);
}
